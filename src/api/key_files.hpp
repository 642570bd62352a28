// Secret files of the server (the JWT signing secret, the credentials master key): read when
// present, generated on first start otherwise — created with mode 0600 (O_EXCL, so two
// processes never write different secrets), and refused when group or others may read it.
// The secret itself is never part of an error message.
// Thread safety: file system calls; call at start-up.
#pragma once

#include <functional>
#include <string>

#include "core/status.hpp"

namespace aitrader::api {

// The trimmed contents of `path`, or `generate()` written there first when it does not exist.
// Errors: FailedPrecondition when the file's mode lets group/others read it; IoError.
Result<std::string> ReadOrCreateSecretFile(const std::string& path, const std::function<std::string()>& generate);

}  // namespace aitrader::api
