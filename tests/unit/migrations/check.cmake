# The migration generator's rules (cmake/derive_migrations.c) on sample files: rules.sql must give
# rules.postgres.sql and rules.sqlite.sql exactly, and each refused_*.sql must stop the generator
# with the message its first line expects ("-- expect: …").
# Run as: cmake -DGEN=<derive_migrations> -DDIR=<this folder> -P check.cmake
foreach(engine postgres sqlite)
  execute_process(COMMAND ${GEN} --print ${engine} rules.sql WORKING_DIRECTORY ${DIR}
                  OUTPUT_VARIABLE got RESULT_VARIABLE rc)
  file(READ ${DIR}/rules.${engine}.sql want)
  if(NOT rc EQUAL 0 OR NOT got STREQUAL want)
    message(FATAL_ERROR "rules.sql for ${engine} (exit ${rc}):\n${got}\nwanted rules.${engine}.sql:\n${want}")
  endif()
endforeach()
file(GLOB refused RELATIVE ${DIR} ${DIR}/refused_*.sql)
list(LENGTH refused n)
if(n EQUAL 0)
  message(FATAL_ERROR "no refused_*.sql in ${DIR}")
endif()
foreach(f ${refused})
  file(STRINGS ${DIR}/${f} first LIMIT_COUNT 1)
  string(REGEX REPLACE "^-- expect: " "" expect "${first}")
  execute_process(COMMAND ${GEN} --print postgres ${f} WORKING_DIRECTORY ${DIR}
                  ERROR_VARIABLE err RESULT_VARIABLE rc OUTPUT_QUIET)
  string(FIND "${err}" "${expect}" at)
  if(rc EQUAL 0 OR at EQUAL -1)
    message(FATAL_ERROR "${f}: exit ${rc}, message \"${err}\"; wanted a failure saying \"${expect}\"")
  endif()
  message(STATUS "${f}: ${err}")
endforeach()
