# The installable library: libtokalign.so.0 (SONAME from the major version)
# and libtokalign.a from the same objects, the public headers, tokalign.pc
# and the CMake package tokalign::tokalign. Included from the top-level
# CMakeLists.txt once every stage has added its sources to `tokalign`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# libcsv ships no pkg-config file: an imported target that the installed
# package recreates the same way (tokalignConfig.cmake).
add_library(tokalign::csv UNKNOWN IMPORTED)
set_target_properties(tokalign::csv PROPERTIES IMPORTED_LOCATION ${CSV_LIBRARY}
  INTERFACE_INCLUDE_DIRECTORIES ${CSV_INCLUDE_DIR})
set(TKA_PRIVATE_DEPS PkgConfig::UTF8PROC PkgConfig::PCRE2 PkgConfig::JANSSON PkgConfig::ICU tokalign::csv
    Threads::Threads m)

set(TKA_PUBLIC_INCLUDES
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

add_library(tokalign_shared SHARED $<TARGET_OBJECTS:tokalign>)
target_include_directories(tokalign_shared PUBLIC ${TKA_PUBLIC_INCLUDES})
target_link_libraries(tokalign_shared PRIVATE ${TKA_PRIVATE_DEPS})
set_target_properties(tokalign_shared PROPERTIES OUTPUT_NAME tokalign EXPORT_NAME tokalign_shared
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR})
if(NOT TKA_SANITIZE AND NOT TKA_FUZZ)
  # Every symbol the library uses must come from its listed dependencies.
  target_link_options(tokalign_shared PRIVATE -Wl,--no-undefined)
endif()

add_library(tokalign_static STATIC $<TARGET_OBJECTS:tokalign>)
target_include_directories(tokalign_static PUBLIC ${TKA_PUBLIC_INCLUDES})
target_compile_definitions(tokalign_static INTERFACE TKA_STATIC)
target_link_libraries(tokalign_static PRIVATE ${TKA_PRIVATE_DEPS})
set_target_properties(tokalign_static PROPERTIES OUTPUT_NAME tokalign)

# The libtokalign.a that is installed: the same objects, pre-linked into one
# relocatable object (ld -r) whose hidden symbols are then made local
# (objcopy --localize-hidden). Its global definitions are then exactly the
# TKA_API functions the shared library exports, so a program that links it
# statically and has its own `spm_model_load` or `column_names` gets no
# clash. tokalign_static above keeps the internal symbols global for the CLI,
# tests and fuzz targets, which call internals; it is not installed. The
# price: a static link takes in the whole library (one object), as the
# shared library does.
if(NOT CMAKE_LINKER OR NOT CMAKE_OBJCOPY)
  message(FATAL_ERROR "ld and objcopy are needed to make libtokalign.a (binutils)")
endif()
add_library(tokalign_archive STATIC $<TARGET_OBJECTS:tokalign>)
target_include_directories(tokalign_archive PUBLIC ${TKA_PUBLIC_INCLUDES})
target_compile_definitions(tokalign_archive INTERFACE TKA_STATIC)
target_link_libraries(tokalign_archive PRIVATE ${TKA_PRIVATE_DEPS})
set_target_properties(tokalign_archive PROPERTIES OUTPUT_NAME tokalign EXPORT_NAME tokalign_static
  ARCHIVE_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/archive)
set(TKA_PRELINKED ${PROJECT_BINARY_DIR}/archive/libtokalign.o)
add_custom_command(TARGET tokalign_archive POST_BUILD
  COMMAND ${CMAKE_LINKER} -r -o ${TKA_PRELINKED} --whole-archive $<TARGET_FILE:tokalign_archive>
  COMMAND ${CMAKE_OBJCOPY} --localize-hidden ${TKA_PRELINKED}
  COMMAND ${CMAKE_COMMAND} -E rm -f $<TARGET_FILE:tokalign_archive>
  COMMAND ${CMAKE_AR} qc $<TARGET_FILE:tokalign_archive> ${TKA_PRELINKED}
  COMMAND ${CMAKE_RANLIB} $<TARGET_FILE:tokalign_archive>
  COMMAND ${CMAKE_COMMAND} -E rm -f ${TKA_PRELINKED}
  COMMENT "libtokalign.a for install: internal symbols made local"
  VERBATIM)

# ---------------------------------------------------------------- install
set(TKA_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tokalign)
install(TARGETS tokalign_shared tokalign_archive EXPORT tokalignTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
file(GLOB TKA_PUBLIC_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/include/tokalign/*.h)
install(FILES ${TKA_PUBLIC_HEADERS} ${PROJECT_BINARY_DIR}/include/tokalign/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tokalign)
install(EXPORT tokalignTargets NAMESPACE tokalign:: DESTINATION ${TKA_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/tokalignConfig.cmake.in
  ${PROJECT_BINARY_DIR}/tokalignConfig.cmake INSTALL_DESTINATION ${TKA_CMAKE_DIR})
# 0.x: a minor release may change the API, so only the same minor is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/tokalignConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/tokalignConfig.cmake
  ${PROJECT_BINARY_DIR}/tokalignConfigVersion.cmake DESTINATION ${TKA_CMAKE_DIR})

# tokalign.pc finds the prefix from its own location (${pcfiledir}), so an
# install moved elsewhere (or made with `cmake --install --prefix`) still works.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(TKA_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH TKA_PC_UP "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" TKA_PC_UP "${TKA_PC_UP}")
  set(TKA_PC_PREFIX "\${pcfiledir}/${TKA_PC_UP}")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(TKA_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(TKA_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/tokalign.pc.in ${PROJECT_BINARY_DIR}/tokalign.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/tokalign.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
