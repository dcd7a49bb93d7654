//! Party identities and the TLS set-up between parties.
//!
//! Parties authenticate each other by *pinning*: `parties.toml` names each
//! party's certificate file, and a connection is accepted only if the peer
//! presents exactly that certificate (and proves it holds the matching key
//! in the TLS 1.3 handshake). There is no web PKI: certificate dates, names
//! and issuers are not checked, because the configuration already says
//! which exact certificate each party has, as SSH's `known_hosts` does for
//! host keys. Certificates can come from [`keygen`] (self-signed) or from an
//! organisation's CA; either way only the leaf is compared.
//!
//! Everything uses rustls with the *ring* provider passed explicitly (never
//! the process-wide default), TLS 1.3 only, and no session resumption.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::Resumption;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, DnsName, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::NoServerSessionStorage;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, DistinguishedName, ServerConfig,
    SignatureScheme,
};

use super::config::{NetConfig, PartyAddress};

/// Why an identity could not be made, loaded or turned into a TLS
/// configuration; messages name the party and file concerned.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A certificate or key file could not be read.
    #[error("party `{party}`: cannot read the {what} {}: {source}", path.display())]
    Read {
        /// The party the file belongs to.
        party: String,
        /// `certificate` or `private key`.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A file could not be written by [`keygen`].
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// [`keygen`] would replace an existing file without being allowed to.
    #[error("{} already exists; refusing to overwrite it", path.display())]
    Exists {
        /// The existing file.
        path: PathBuf,
    },
    /// Two certificate or key paths of the configuration are the same file,
    /// so [`keygen`] would overwrite one key or certificate with another.
    #[error("{} is configured twice (as {first} and as {second})", path.display())]
    PathReused {
        /// The shared path.
        path: PathBuf,
        /// Its first use, e.g. "the certificate of `alice`".
        first: String,
        /// Its second use.
        second: String,
    },
    /// A certificate file holds no certificate.
    #[error("party `{party}`: {} holds no PEM certificate", path.display())]
    NoCertificate {
        /// The party.
        party: String,
        /// The file.
        path: PathBuf,
    },
    /// A key file holds no private key.
    #[error(
        "party `{party}`: {} holds no private key (expected PKCS#8, PKCS#1 or SEC1 PEM)",
        path.display()
    )]
    NoKey {
        /// The party.
        party: String,
        /// The file.
        path: PathBuf,
    },
    /// A file is not valid PEM.
    #[error("party `{party}`: {} is not valid PEM: {why}", path.display())]
    BadPem {
        /// The party.
        party: String,
        /// The file.
        path: PathBuf,
        /// The PEM parser's complaint.
        why: String,
    },
    /// The key cannot be used, or does not belong to the certificate.
    #[error("party `{party}`: the key {} {why} (certificate {})", key.display(), certificate.display())]
    BadKey {
        /// The party.
        party: String,
        /// The certificate file.
        certificate: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// rcgen could not make a key or certificate.
    #[error("cannot make a certificate for party `{party}`: {why}")]
    Generate {
        /// The party.
        party: String,
        /// rcgen's message.
        why: String,
    },
    /// rustls refused the configuration.
    #[error("cannot set up TLS for party `{party}`: {source}")]
    Config {
        /// The party whose identity was used.
        party: String,
        /// rustls's error.
        source: rustls::Error,
    },
}

/// The crypto provider for every configuration: ring, passed explicitly so
/// that nothing depends on which provider the process installed.
fn provider() -> Arc<CryptoProvider> {
    use rustls::crypto::ring::cipher_suite;
    // AES-128-GCM first: the fastest suite with AES instructions, and 128-bit
    // security is what the protocols' labels and OT give anyway. The others
    // stay for peers that insist.
    Arc::new(CryptoProvider {
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
        ],
        ..rustls::crypto::ring::default_provider()
    })
}

/// Writes a fresh self-signed certificate and private key for every party
/// of `config` (ECDSA P-256; the key as PKCS#8 PEM, mode 0600 on unix),
/// creating directories as needed: the quick way to set up a deployment.
/// Existing files are replaced only if `overwrite`; without it nothing is
/// written if any file exists. Returns the paths written.
pub fn keygen(config: &NetConfig, overwrite: bool) -> Result<Vec<PathBuf>, TlsError> {
    let mut uses: Vec<(&Path, String)> = Vec::new();
    for p in &config.parties {
        for (path, what) in [(&p.certificate, "certificate"), (&p.key, "key")] {
            let this = format!("the {what} of `{}`", p.name);
            if let Some((_, first)) = uses.iter().find(|(q, _)| *q == path.as_path()) {
                return Err(TlsError::PathReused {
                    path: path.clone(),
                    first: first.clone(),
                    second: this,
                });
            }
            uses.push((path, this));
        }
    }
    if !overwrite {
        if let Some((path, _)) = uses.iter().find(|(p, _)| p.symlink_metadata().is_ok()) {
            return Err(TlsError::Exists {
                path: path.to_path_buf(),
            });
        }
    }
    let mut written = Vec::with_capacity(uses.len());
    for p in &config.parties {
        let (certificate, key) = generate(&p.name)?;
        write_file(&p.certificate, certificate.as_bytes(), false, overwrite)?;
        written.push(p.certificate.clone());
        write_file(&p.key, key.as_bytes(), true, overwrite)?;
        written.push(p.key.clone());
    }
    Ok(written)
}

/// A self-signed certificate and its PKCS#8 key for party `name`, both PEM.
fn generate(name: &str) -> Result<(String, String), TlsError> {
    let fail = |e: rcgen::Error| TlsError::Generate {
        party: name.to_string(),
        why: e.to_string(),
    };
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(fail)?;
    let mut params = rcgen::CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("veil party {name}"));
    if DnsName::try_from(name).is_ok() {
        if let Ok(dns) = rcgen::string::Ia5String::try_from(name) {
            params.subject_alt_names.push(rcgen::SanType::DnsName(dns));
        }
    }
    let cert = params.self_signed(&key).map_err(fail)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// Writes `bytes` to `path` (creating its directory); a `secret` file is
/// created readable by its owner only. The file is always created afresh,
/// so an old file's looser permissions never carry over.
fn write_file(path: &Path, bytes: &[u8], secret: bool, overwrite: bool) -> Result<(), TlsError> {
    let fail = |source| TlsError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    if overwrite {
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(fail(e)),
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            TlsError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            fail(e)
        }
    })?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)
}

/// One party's own credentials: its certificate chain (leaf first) and the
/// private key that goes with the leaf. What this party proves itself with.
pub struct Identity {
    name: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("name", &self.name)
            .field("certificates", &self.chain.len())
            .field("key", &"<hidden>")
            .finish()
    }
}

impl Identity {
    /// Loads `party`'s certificate file (a PEM chain, leaf first) and key
    /// file (PKCS#8, PKCS#1 or SEC1 PEM), and checks that they belong
    /// together.
    pub fn load(party: &PartyAddress) -> Result<Identity, TlsError> {
        let chain = read_certificates(party)?;
        let bytes = read(party, "private key", &party.key)?;
        let key = PrivateKeyDer::from_pem_slice(&bytes).map_err(|e| match e {
            rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey {
                party: party.name.clone(),
                path: party.key.clone(),
            },
            e => TlsError::BadPem {
                party: party.name.clone(),
                path: party.key.clone(),
                why: e.to_string(),
            },
        })?;
        let bad_key = |why: String| TlsError::BadKey {
            party: party.name.clone(),
            certificate: party.certificate.clone(),
            key: party.key.clone(),
            why,
        };
        match rustls::sign::CertifiedKey::from_der(chain.clone(), key.clone_key(), &provider()) {
            Ok(_) => {}
            Err(rustls::Error::InconsistentKeys(_)) => {
                return Err(bad_key("does not belong to the certificate".to_string()))
            }
            Err(e) => return Err(bad_key(format!("cannot be used: {e}"))),
        }
        Ok(Identity {
            name: party.name.clone(),
            chain,
            key,
        })
    }

    /// The party this identity belongs to.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The leaf certificate: what the other parties pin for this one.
    pub fn certificate(&self) -> &CertificateDer<'static> {
        // `load` refuses empty chains.
        &self.chain[0]
    }
}

/// The leaf (first) certificate of `party`'s certificate file: the exact
/// certificate the other parties require it to present.
pub fn pinned_certificate(party: &PartyAddress) -> Result<CertificateDer<'static>, TlsError> {
    let mut chain = read_certificates(party)?;
    Ok(chain.swap_remove(0))
}

/// Reads a file of `party`'s, naming it on failure.
fn read(party: &PartyAddress, what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        party: party.name.clone(),
        what,
        path: path.to_path_buf(),
        source,
    })
}

/// The certificates in `party`'s certificate file, at least one.
fn read_certificates(party: &PartyAddress) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let bytes = read(party, "certificate", &party.certificate)?;
    let chain = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::BadPem {
            party: party.name.clone(),
            path: party.certificate.clone(),
            why: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(TlsError::NoCertificate {
            party: party.name.clone(),
            path: party.certificate.clone(),
        });
    }
    Ok(chain)
}

/// A pinning verifier, for both ends: the peer's end-entity certificate
/// must be byte-for-byte one of `accepted` (the dialer: the one peer it
/// dialed; the listener: every other configured party), and its TLS 1.3
/// handshake signature must verify with that certificate's key.
#[derive(Debug)]
struct Pinned {
    accepted: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
}

impl Pinned {
    fn check(&self, end_entity: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if self
            .accepted
            .iter()
            .any(|c| c.as_ref() == end_entity.as_ref())
        {
            Ok(())
        } else {
            Err(not_pinned())
        }
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.check(end_entity)
            .map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(no_tls12())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

impl ClientCertVerifier for Pinned {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity)
            .map(|()| ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        _dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        Err(no_tls12())
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

/// The error a verifier gives for a certificate that is not pinned.
/// [`is_not_pinned`] recognises it.
fn not_pinned() -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
}

/// Whether `e` is a handshake failure because the peer's certificate is not
/// the pinned one (or, for a listener, none of the accepted ones).
pub fn is_not_pinned(e: &rustls::Error) -> bool {
    matches!(
        e,
        rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure)
    )
}

/// The error for a TLS 1.2 signature, which a TLS 1.3-only configuration
/// should never be asked to check.
fn no_tls12() -> rustls::Error {
    rustls::Error::General("TLS 1.2 is not allowed between Veil parties".to_string())
}

/// The dialer's configuration for a connection to one peer: TLS 1.3, ring,
/// `me`'s certificate as client certificate, and the server accepted only
/// if it presents `peer_pinned`.
pub fn client_config(
    me: &Identity,
    peer_pinned: CertificateDer<'static>,
) -> Result<Arc<ClientConfig>, TlsError> {
    let fail = |source| TlsError::Config {
        party: me.name.clone(),
        source,
    };
    let provider = provider();
    let verifier = Arc::new(Pinned {
        accepted: vec![peer_pinned],
        provider: provider.clone(),
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(fail)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_auth_cert(me.chain.clone(), me.key.clone_key())
        .map_err(fail)?;
    config.resumption = Resumption::disabled();
    Ok(Arc::new(config))
}

/// The listener's configuration: TLS 1.3, ring, `me`'s certificate, client
/// certificates mandatory and accepted only if in `accepted`; no session
/// tickets (links are one-way after set-up, and never resumed).
pub fn server_config(
    me: &Identity,
    accepted: Vec<CertificateDer<'static>>,
) -> Result<Arc<ServerConfig>, TlsError> {
    let fail = |source| TlsError::Config {
        party: me.name.clone(),
        source,
    };
    let provider = provider();
    let verifier = Arc::new(Pinned {
        accepted,
        provider: provider.clone(),
    });
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(fail)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(me.chain.clone(), me.key.clone_key())
        .map_err(fail)?;
    config.send_tls13_tickets = 0;
    config.session_storage = Arc::new(NoServerSessionStorage {});
    Ok(Arc::new(config))
}

/// Helpers shared by the tests of this module and of `connect`.
#[cfg(test)]
pub(crate) mod testing {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh, empty directory under the system's temp directory.
    pub fn temp_dir(tag: &str) -> PathBuf {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("veil-net-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp_dir;
    use super::*;

    fn config(dir: &Path, names: &[&str]) -> NetConfig {
        let mut text = String::new();
        for (i, name) in names.iter().enumerate() {
            text.push_str(&format!(
                "[[party]]\nname = \"{name}\"\naddress = \"127.0.0.1:{}\"\n",
                7000 + i
            ));
        }
        NetConfig::parse(&text, &dir.join("parties.toml")).expect("config")
    }

    #[test]
    fn keygen_writes_loadable_identities() {
        let dir = temp_dir("keygen");
        let c = config(&dir, &["alice", "bob", "party 3"]);
        let written = keygen(&c, false).expect("keygen");
        assert_eq!(written.len(), 6);
        assert!(written.contains(&dir.join("certs/alice.pem")));
        assert!(written.contains(&dir.join("certs/bob.key")));
        let mut leaves = Vec::new();
        for p in &c.parties {
            let id = Identity::load(p).expect("loads");
            assert_eq!(id.name(), p.name);
            let pinned = pinned_certificate(p).expect("pinned");
            assert_eq!(&pinned, id.certificate());
            let key = std::fs::read_to_string(&p.key).expect("key");
            assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
            assert!(!format!("{id:?}").contains("PRIVATE"));
            client_config(&id, pinned.clone()).expect("client config");
            server_config(&id, vec![pinned.clone()]).expect("server config");
            leaves.push(pinned);
        }
        assert_ne!(leaves[0], leaves[1]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keygen_refuses_to_overwrite() {
        let dir = temp_dir("overwrite");
        let c = config(&dir, &["alice", "bob"]);
        keygen(&c, false).expect("keygen");
        let before = pinned_certificate(&c.parties[1]).expect("pinned");
        let e = keygen(&c, false).expect_err("files exist");
        assert!(matches!(e, TlsError::Exists { .. }));
        assert!(e.to_string().contains("alice.pem"), "{e}");
        // A single existing file stops everything before anything is written.
        std::fs::remove_file(&c.parties[0].certificate).expect("rm");
        std::fs::remove_file(&c.parties[0].key).expect("rm");
        let e = keygen(&c, false).expect_err("bob's files exist");
        assert!(e.to_string().contains("bob.pem"), "{e}");
        assert!(!c.parties[0].certificate.exists());
        keygen(&c, true).expect("overwrite allowed");
        let after = pinned_certificate(&c.parties[1]).expect("pinned");
        assert_ne!(before, after, "a fresh certificate");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn keygen_refuses_shared_paths() {
        let dir = temp_dir("shared");
        let text = "[[party]]\nname = \"a\"\naddress = \"h:1\"\nkey = \"k\"\n\
                    [[party]]\nname = \"b\"\naddress = \"h:2\"\nkey = \"k\"\n";
        let c = NetConfig::parse(text, &dir.join("parties.toml")).expect("config");
        let e = keygen(&c, true).expect_err("shared key path");
        assert!(e.to_string().contains("the key of `a`"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn keys_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = temp_dir("mode");
        let c = config(&dir, &["alice"]);
        // A world-readable key from before is replaced, not reused.
        std::fs::create_dir_all(dir.join("certs")).expect("mkdir");
        std::fs::write(&c.parties[0].key, "old").expect("write");
        std::fs::set_permissions(&c.parties[0].key, std::fs::Permissions::from_mode(0o644))
            .expect("chmod");
        keygen(&c, true).expect("keygen");
        let mode = std::fs::metadata(&c.parties[0].key)
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn load_accepts_a_chain_and_pins_its_leaf() {
        let dir = temp_dir("chain");
        let c = config(&dir, &["alice", "bob"]);
        keygen(&c, false).expect("keygen");
        let (alice, bob) = (&c.parties[0], &c.parties[1]);
        let leaf = pinned_certificate(alice).expect("pinned");
        // As if Alice's file held her certificate and then its issuer's.
        let mut chain = std::fs::read_to_string(&alice.certificate).expect("read");
        chain.push_str(&std::fs::read_to_string(&bob.certificate).expect("read"));
        std::fs::write(&alice.certificate, chain).expect("write");
        let id = Identity::load(alice).expect("chain loads");
        assert_eq!(id.chain.len(), 2);
        assert_eq!(id.certificate(), &leaf);
        assert_eq!(pinned_certificate(alice).expect("pinned"), leaf);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn load_errors_name_the_file() {
        let dir = temp_dir("loaderr");
        let c = config(&dir, &["alice", "bob"]);
        let alice = &c.parties[0];
        let e = Identity::load(alice).expect_err("no files");
        assert!(e.to_string().contains("alice.pem"), "{e}");
        keygen(&c, false).expect("keygen");
        // Bob's key with Alice's certificate.
        std::fs::copy(&c.parties[1].key, &alice.key).expect("copy");
        let e = Identity::load(alice).expect_err("wrong key");
        assert!(
            e.to_string().contains("does not belong to the certificate"),
            "{e}"
        );
        std::fs::write(&alice.key, "not pem").expect("write");
        let e = Identity::load(alice).expect_err("no key");
        assert!(matches!(e, TlsError::NoKey { .. }), "{e}");
        std::fs::write(&alice.certificate, "").expect("write");
        let e = pinned_certificate(alice).expect_err("no certificate");
        assert!(matches!(e, TlsError::NoCertificate { .. }), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
