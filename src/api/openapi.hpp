// The OpenAPI 3.1 document of the API (src/api/openapi.json, embedded at build time).
// Operations marked "x-planned" are specified but not served yet; a test checks that the
// router serves exactly the operations the document does not mark so.
// Thread safety: a constant.
#pragma once

#include <string_view>

namespace aitrader::api {

std::string_view OpenApiDocument();

}  // namespace aitrader::api
