# The test suite: cmocka unit tests, black-box API tests and browser tests (node's test runner).
# YX_API_TESTS / YX_E2E_TESTS switch the node suites off where node packages are missing.
option(YX_API_TESTS "Run the black-box API tests" ON)
option(YX_E2E_TESTS "Run the browser tests" ON)

file(GLOB UNIT_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/unit/*_test.c)
foreach(src ${UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  add_executable(${name} ${src})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ytexa_core PkgConfig::CMOCKA)
  add_test(NAME unit.${name} COMMAND ${name})
  # The tests that open a database (YTEXA_TEST_DB) run again on PostgreSQL (label "db").
  file(READ ${src} body)
  if(body MATCHES "YTEXA_TEST_DB|testdb\\.h")
    set_tests_properties(unit.${name} PROPERTIES LABELS db)
  endif()
endforeach()
# Under LeakSanitizer: fontconfig's caches live as long as the process (tests/unit/lsan.supp).
set_tests_properties(unit.pdf_test PROPERTIES ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/unit/lsan.supp")

# The migration generator's rules and refusals (cmake/derive_migrations.c) on sample files.
add_test(NAME unit.derive_migrations
         COMMAND ${CMAKE_COMMAND} -DGEN=$<TARGET_FILE:ytexa_derive_migrations>
                 -DDIR=${CMAKE_SOURCE_DIR}/tests/unit/migrations -P ${CMAKE_SOURCE_DIR}/tests/unit/migrations/check.cmake)

find_program(NODE node)
# The static checks look at the source, not at a build: they run in the regular build only (not
# again under the sanitizers, nor on PostgreSQL).
if(NOT YX_SANITIZE)
  # The C tree is formatted as .clang-format says.
  find_program(CLANG_FORMAT clang-format)
  if(CLANG_FORMAT)
    add_test(NAME unit.format COMMAND bash ${CMAKE_SOURCE_DIR}/tests/format.sh)
  endif()
  # The folders of src/ include each other only downwards (docs/architecture.md).
  if(NODE)
    add_test(NAME unit.layers COMMAND ${NODE} --test --test-reporter=spec ${CMAKE_SOURCE_DIR}/tests/layers.test.mjs)
    # Each server message is "Vietnamese / English" with one separator (tests/messages.test.mjs).
    add_test(NAME unit.messages COMMAND ${NODE} --test --test-reporter=spec ${CMAKE_SOURCE_DIR}/tests/messages.test.mjs)
  endif()
  # The web app's linter and formatter (web/eslint.config.js, web/.prettierrc.json), from the
  # devDependencies that scripts/setup.sh installs into web/node_modules.
  find_program(NPM npm)
  if(NPM)
    add_test(NAME web.lint COMMAND bash -c "${NPM} run --silent lint && ${NPM} run --silent format:check"
             WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/web)
  endif()
endif()
if(YX_API_TESTS AND NODE)
  file(GLOB API_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/api/*.test.mjs)
  foreach(t ${API_TESTS})
    get_filename_component(name ${t} NAME_WE)
    add_test(NAME api.${name} COMMAND ${NODE} --experimental-websocket --test --test-reporter=spec ${t})
    set_tests_properties(api.${name} PROPERTIES ENVIRONMENT "YTEXA_BIN=$<TARGET_FILE:ytexa>" TIMEOUT 600 LABELS "db;api")
  endforeach()
endif()
if(YX_E2E_TESTS AND NODE)
  file(GLOB E2E_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/*.test.mjs)
  foreach(t ${E2E_TESTS})
    get_filename_component(name ${t} NAME_WE)
    if(t MATCHES "\\.netns\\.test\\.mjs$")
      # Its own network namespace: the test shapes loopback, and nothing outside sees it.
      add_test(NAME e2e.${name} COMMAND unshare -n bash -c "ip link set lo up && YTEXA_NETNS=1 exec ${NODE} --test --test-reporter=spec ${t}")
    else()
      add_test(NAME e2e.${name} COMMAND ${NODE} --test --test-reporter=spec ${t})
    endif()
    set_tests_properties(e2e.${name} PROPERTIES ENVIRONMENT "YTEXA_BIN=$<TARGET_FILE:ytexa>" TIMEOUT 600
                         RUN_SERIAL TRUE)
  endforeach()
endif()

# Each fuzz harness also runs over its corpus as a plain test (crashes found by `make fuzz` are
# added to fuzz/corpus/<name>/ and stay fixed).
foreach(h request fold dicom image jwt tus ws import fhir bundle)
  add_executable(fuzz_${h}_corpus ${CMAKE_SOURCE_DIR}/fuzz/fuzz_${h}.c ${CMAKE_SOURCE_DIR}/fuzz/driver.c)
  target_include_directories(fuzz_${h}_corpus PRIVATE ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(fuzz_${h}_corpus PRIVATE ytexa_core)
  file(GLOB corpus CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fuzz/corpus/${h}/*)
  add_test(NAME unit.fuzz_${h}_corpus COMMAND fuzz_${h}_corpus ${corpus})
endforeach()
