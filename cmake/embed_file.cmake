# Turns one data file into a C string: cmake -DIN=<file> -DOUT=<file.c> -DNAME=<symbol> -P embed_file.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
file(WRITE "${OUT}.tmp" "/* Generated from ${IN} by cmake/embed_file.cmake; do not edit. */\nconst char ${NAME}[] = {${hex}0};\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
