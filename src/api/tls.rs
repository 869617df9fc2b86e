//! TLS client configuration: platform roots by default, a CA bundle or a pinned sha256
//! fingerprint per context, or no verification when the user asked for `--insecure`.
//! Every verifier records the certificate the server presented, so a refused handshake can
//! tell the user what was presented and how to pin it.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use sha2::{Digest, Sha256};

use super::error::{ApiError, ApiResult};

/// How the server's certificate is checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// Skip verification entirely (explicit `--insecure` only).
    pub insecure: bool,
    /// Trust exactly the CAs in this PEM file instead of the platform's roots.
    pub ca_file: Option<PathBuf>,
    /// Accept exactly the certificate with this sha256 fingerprint (hex, colons optional).
    pub fingerprint: Option<String>,
}

/// The certificate the server presented during the last handshake.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PresentedCert {
    pub subject: String,
    pub fingerprint: String,
}

pub type CertRecorder = Arc<Mutex<Option<PresentedCert>>>;

/// Installs ring as the process-wide rustls provider (idempotent).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn provider() -> Arc<CryptoProvider> {
    install_crypto_provider();
    CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// sha256 of a DER certificate as upper-case hex pairs joined by colons.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let mut out = String::with_capacity(95);
    for (i, b) in digest.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

fn normalise_fingerprint(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn subject_of(der: &[u8]) -> String {
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, cert)) => cert.subject().to_string(),
        Err(_) => "(unparseable certificate)".to_string(),
    }
}

/// Builds the rustls config for these options, plus the recorder of presented certificates.
pub fn client_config(opts: &TlsOptions) -> ApiResult<(ClientConfig, CertRecorder)> {
    let provider = provider();
    let inner: Arc<dyn ServerCertVerifier> = if opts.insecure || opts.fingerprint.is_some() {
        Arc::new(NoVerify(provider.clone()))
    } else if let Some(path) = &opts.ca_file {
        let mut roots = RootCertStore::empty();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| ApiError::Tls {
                message: format!("cannot read CA file {}: {e}", path.display()),
            })?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ApiError::Tls {
                message: format!("bad PEM in CA file {}: {e}", path.display()),
            })?;
        if certs.is_empty() {
            return Err(ApiError::Tls {
                message: format!("CA file {} holds no certificate", path.display()),
            });
        }
        for c in certs {
            roots.add(c).map_err(|e| ApiError::Tls {
                message: format!("bad CA certificate in {}: {e}", path.display()),
            })?;
        }
        rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .map_err(|e| ApiError::Tls {
            message: format!("CA file {}: {e}", path.display()),
        })?
    } else {
        Arc::new(
            rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
                ApiError::Tls {
                    message: format!("platform certificate store: {e}"),
                }
            })?,
        )
    };
    let recorder: CertRecorder = Arc::default();
    let verifier = Recording {
        inner,
        pin: opts.fingerprint.as_deref().map(normalise_fingerprint),
        recorder: recorder.clone(),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ApiError::Tls {
            message: e.to_string(),
        })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok((config, recorder))
}

#[derive(Debug)]
struct Recording {
    inner: Arc<dyn ServerCertVerifier>,
    pin: Option<String>,
    recorder: CertRecorder,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = PresentedCert {
            subject: subject_of(end_entity),
            fingerprint: fingerprint(end_entity),
        };
        let pinned_ok = self
            .pin
            .as_ref()
            .map(|pin| *pin == normalise_fingerprint(&presented.fingerprint));
        if let Ok(mut slot) = self.recorder.lock() {
            *slot = Some(presented);
        }
        match pinned_ok {
            Some(true) => Ok(ServerCertVerified::assertion()),
            Some(false) => Err(rustls::Error::General(
                "certificate fingerprint does not match the pinned fingerprint".into(),
            )),
            None => self.inner.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Accepts any certificate chain but still checks handshake signatures, so the session is
/// at least bound to the key of the certificate that was presented (and pinned, if pinned).
#[derive(Debug)]
struct NoVerify(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_compare_without_colons_or_case() {
        let fp = fingerprint(b"hello");
        assert_eq!(fp.len(), 95);
        assert_eq!(
            normalise_fingerprint(&fp),
            normalise_fingerprint(&fp.to_lowercase().replace(':', ""))
        );
    }

    #[test]
    fn missing_ca_file_is_a_clear_error() {
        let opts = TlsOptions {
            ca_file: Some("/nonexistent/ca.pem".into()),
            ..Default::default()
        };
        let err = client_config(&opts).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
    }
}
