//! The emulator's own certificate authority.
//!
//! Every start makes a fresh CA and a server certificate for `localhost`,
//! `127.0.0.1` and `::1`, signed with P-256 through RustCrypto (pure Rust, so
//! the crate also checks for Windows and macOS targets from Linux). Clients
//! trust the CA only for the emulator's cloud profile.

use p256::ecdsa::{DerSignature, SigningKey as EcdsaKey, signature::Signer};
use p256::pkcs8::{EncodePrivateKey, LineEnding};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyUsagePurpose, PublicKeyData, SanType, SignatureAlgorithm, SigningKey,
};

/// A P-256 key that rcgen can sign certificates with.
struct P256Key {
    key: EcdsaKey,
    /// SEC1 uncompressed point, as X.509 SubjectPublicKeyInfo carries it.
    public: Vec<u8>,
}

impl P256Key {
    fn generate() -> Self {
        let key = EcdsaKey::random(&mut rand_core::OsRng);
        let public = key
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        Self { key, public }
    }

    fn pkcs8_pem(&self) -> anyhow::Result<String> {
        Ok(self.key.to_pkcs8_pem(LineEnding::LF)?.to_string())
    }
}

impl PublicKeyData for P256Key {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }
    fn algorithm(&self) -> &'static SignatureAlgorithm {
        &rcgen::PKCS_ECDSA_P256_SHA256
    }
}

impl SigningKey for P256Key {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        let signature: DerSignature = self.key.sign(msg);
        Ok(signature.as_bytes().to_vec())
    }
}

/// A CA certificate plus the server certificate and key it signed.
pub struct LocalCa {
    /// The CA certificate (PEM): what clients trust.
    pub ca_pem: String,
    /// The server certificate followed by the CA certificate (PEM chain).
    pub server_chain_pem: String,
    /// The server's private key (PKCS#8 PEM). Never leaves the process.
    server_key_pem: String,
}

/// A random, positive 128-bit serial number (RFC 5280 allows up to 20 octets).
fn serial() -> rcgen::SerialNumber {
    use rand_core::RngCore;
    let mut bytes = [0u8; 16];
    rand_core::OsRng.fill_bytes(&mut bytes);
    bytes[0] &= 0x7f;
    rcgen::SerialNumber::from_slice(&bytes)
}

impl LocalCa {
    pub fn generate() -> anyhow::Result<Self> {
        let ca_key = P256Key::generate();
        let mut ca_params = CertificateParams::default();
        ca_params.serial_number = Some(serial());
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "Rolecall emulator local CA");
        dn.push(DnType::OrganizationName, "Rolecall");
        ca_params.distinguished_name = dn;
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, &ca_key);

        let server_key = P256Key::generate();
        let mut params = CertificateParams::new(vec!["localhost".to_string()])?;
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .subject_alt_names
            .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
        params.serial_number = Some(serial());
        params.distinguished_name = DistinguishedName::new();
        params
            .distinguished_name
            .push(DnType::CommonName, "Rolecall emulator");
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = params.signed_by(&server_key, &issuer)?;

        Ok(Self {
            ca_pem: ca_cert.pem(),
            server_chain_pem: format!("{}{}", server_cert.pem(), ca_cert.pem()),
            server_key_pem: server_key.pkcs8_pem()?,
        })
    }

    /// A TLS acceptor for the server certificate (native-tls: OpenSSL on Linux,
    /// SChannel on Windows, Security.framework on macOS).
    pub fn acceptor(&self) -> anyhow::Result<tokio_native_tls::TlsAcceptor> {
        let identity = native_tls::Identity::from_pkcs8(
            self.server_chain_pem.as_bytes(),
            self.server_key_pem.as_bytes(),
        )?;
        let acceptor = native_tls::TlsAcceptor::builder(identity)
            .min_protocol_version(Some(native_tls::Protocol::Tlsv12))
            .build()?;
        Ok(acceptor.into())
    }
}

impl std::fmt::Debug for LocalCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is deliberately left out.
        f.debug_struct("LocalCa")
            .field("ca_pem", &self.ca_pem)
            .finish_non_exhaustive()
    }
}
