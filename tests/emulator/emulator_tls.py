"""A throw-away CA and a server certificate for 127.0.0.1 / localhost, made fresh at every start.

ECE ships a self-signed certificate, so clients must be able to trust a private CA (`ca_path`). Tests get
a `ca.pem` that verifies this server, while default verification (system trust store) must fail.
The extensions below are what strict verifiers (Python 3.13's VERIFY_X509_STRICT, OpenSSL 3) require.
"""

import datetime
import ipaddress
import os
import ssl

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, 'ECE emulator'), x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_usage(cert_sign):
    return x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                         key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False, decipher_only=False)


def _builder(subject, issuer, public_key):
    now = datetime.datetime.now(datetime.timezone.utc)
    # Backdated an hour so that a client clock slightly behind this machine's still accepts it.
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def make_certificates(cert_dir, key_dir):
    """Write `ca.pem` into cert_dir and the server's chain and key into key_dir; return their paths.

    The server key stays in key_dir (the emulator's private data directory), never next to ca.pem.
    """
    os.makedirs(cert_dir, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_subject = _name('ECE emulator test CA')
    ca_cert = (_builder(ca_subject, ca_subject, ca_key.public_key())
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(_key_usage(True), critical=True)
               .sign(ca_key, hashes.SHA256()))

    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.IPAddress(ipaddress.ip_address('127.0.0.1')), x509.IPAddress(ipaddress.ip_address('::1')), x509.DNSName('localhost')]
    cert = (_builder(_name('localhost'), ca_subject, key.public_key())
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))

    ca_path = os.path.join(cert_dir, 'ca.pem')
    with open(ca_path, 'wb') as handle:
        handle.write(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain_path = os.path.join(key_dir, 'server.pem')
    with open(chain_path, 'wb') as handle:
        handle.write(cert.public_bytes(serialization.Encoding.PEM))
    key_path = os.path.join(key_dir, 'server-key.pem')
    with open(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'wb') as handle:
        handle.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return ca_path, chain_path, key_path


def server_context(cert_dir, key_dir):
    """An SSLContext serving a freshly made certificate; ca.pem ends up in cert_dir."""
    _ca_path, chain_path, key_path = make_certificates(cert_dir, key_dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(chain_path, key_path)
    return context
