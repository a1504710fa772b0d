// SPDX-License-Identifier: MIT
#pragma once

#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>

#include <optional>

namespace afterwork::detail {

//! Whether \a key is the private key of \a certificate (their public keys are the same), or
//! std::nullopt if either cannot be read for the comparison. A server whose key is not its
//! certificate's fails every TLS handshake; listenRemote() refuses it at once instead.
std::optional<bool> isKeyOfCertificate(const QSslKey &key, const QSslCertificate &certificate);

} // namespace afterwork::detail
