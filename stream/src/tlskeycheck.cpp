// SPDX-License-Identifier: MIT
// Qt can load a certificate and a key but has no call that says whether they belong together:
// its TLS backend finds out only at the first handshake, and fails that and every later one. So
// OpenSSL's X509_check_private_key() says it here, on the DER encodings Qt gives of what it loaded.
// That is one documented OpenSSL call on public Qt API, whatever Qt's TLS backend is. The other
// ways are not simpler or not robust: comparing public keys with Qt alone would mean parsing
// ASN.1 by hand (Qt derives no public key from a private one), QSslKey::handle() is an RSA* or
// EC_KEY* rather than an EVP_PKEY* when Qt is built with OpenSSL 3's deprecated API (Debian 12
// and 13 are), and a trial handshake at listen time would lean on when Qt's backend checks.
#include "tlskeycheck.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>

namespace afterwork::detail {

std::optional<bool> isKeyOfCertificate(const QSslKey &key, const QSslCertificate &certificate)
{
    const QByteArray certificateDer = certificate.toDer();
    const QByteArray keyDer = key.toDer();
    const auto *certificateBytes = reinterpret_cast<const unsigned char *>(certificateDer.constData());
    const auto *keyBytes = reinterpret_cast<const unsigned char *>(keyDer.constData());
    const std::unique_ptr<X509, decltype(&X509_free)> x509(d2i_X509(nullptr, &certificateBytes, long(certificateDer.size())), &X509_free);
    // PKCS#1 (RSA), SEC1 (EC) or PKCS#8, as Qt writes it.
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> privateKey(
        d2i_AutoPrivateKey(nullptr, &keyBytes, long(keyDer.size())), &EVP_PKEY_free);
    std::optional<bool> matches;
    if (x509 && privateKey)
        matches = X509_check_private_key(x509.get(), privateKey.get()) == 1;
    // A mismatch or a failed decoding leaves its reason on this thread's OpenSSL error queue,
    // where Qt's backend would later take it for one of its own.
    ERR_clear_error();
    return matches;
}

} // namespace afterwork::detail
