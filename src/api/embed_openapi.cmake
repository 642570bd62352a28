# Writes OUT: a C++ file defining aitrader::api::OpenApiDocument() from the JSON file IN.
file(READ "${IN}" content)
string(FIND "${content}" ")OPENAPI\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "openapi.json contains the raw-string delimiter")
endif()
file(WRITE "${OUT}" "// Generated from src/api/openapi.json by embed_openapi.cmake. Do not edit.\n#include \"api/openapi.hpp\"\nnamespace aitrader::api {\nstd::string_view OpenApiDocument() {\n  static constexpr std::string_view kDoc = R\"OPENAPI(${content})OPENAPI\";\n  return kDoc;\n}\n}  // namespace aitrader::api\n")
