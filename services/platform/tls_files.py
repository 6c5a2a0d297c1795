"""TLS for the feed listener: a CA of this installation and a server certificate it signs, made once
into `data_dir/tls/` (keys 0600), or the operator's own files. Clients verify the server against
the CA (`ca.pem`), which is all a system's bundle needs; its host names are the certificate's SANs,
and a certificate that lacks a name asked for now is made again by the same CA."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.platform.data_dir import write_private

VALID_DAYS = 825  # what browsers and most TLS stacks still accept for a server certificate
CA_VALID_DAYS = 3650


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path
    ca: Path

    def client_context(self) -> ssl.SSLContext:
        """What a client of this server trusts: the CA, and the host name checked."""
        return ssl.create_default_context(cafile=str(self.ca))


def generate_tls(directory: Path, names: set[str]) -> TlsFiles:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    files = TlsFiles(directory / "server.pem", directory / "server-key.pem", directory / "ca.pem")
    ca_key_file = directory / "ca-key.pem"
    if ca_key_file.exists() and files.ca.exists():
        ca_key = serialization.load_pem_private_key(ca_key_file.read_bytes(), None)
        ca_cert = x509.load_pem_x509_certificate(files.ca.read_bytes())
    else:
        ca_key, ca_cert = _new_ca()
        _write(ca_key_file, _key_pem(ca_key))
        _write(files.ca, ca_cert.public_bytes(serialization.Encoding.PEM))
    if not files.cert.exists() or not names <= _names_of(files.cert):
        key = ec.generate_private_key(ec.SECP256R1())
        _write(files.key, _key_pem(key))
        _write(files.cert, _server_cert(key, ca_key, ca_cert, names).public_bytes(serialization.Encoding.PEM))
    return files


def _new_ca():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "aixin"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "aixin feed CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CA_VALID_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _server_cert(key, ca_key, ca_cert, names: set[str]) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    alternative = [_general_name(name) for name in sorted(names) if name]
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sorted(names)[0])]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
            .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def _names_of(cert_file: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(n) for n in sans.get_values_for_type(x509.DNSName)} | {
        str(n) for n in sans.get_values_for_type(x509.IPAddress)}


def _key_pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _write(path: Path, data: bytes) -> None:
    write_private(path, data.decode())
