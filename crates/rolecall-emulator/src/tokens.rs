//! What Entra issues: RS256-signed access and ID tokens, single-use
//! authorization codes bound to their PKCE challenge, and rotating refresh
//! tokens. ARM and Graph verify access tokens with the same key.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand_core::RngCore;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// How long an authorization code may wait to be redeemed (Entra: about ten minutes).
pub const CODE_LIFETIME: Duration = Duration::from_secs(600);
/// Default access-token lifetime; Entra answers `expires_in: 3599`.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(3599);

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Random, URL-safe, unguessable.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand_core::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// The tenant's token-signing key, published at the JWKS endpoint.
pub struct SigningKey {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n: String,
    e: String,
}

impl SigningKey {
    /// One RSA-2048 key per process: generating it costs far more than
    /// everything else an emulator start does, and tests start many.
    pub fn shared() -> Arc<SigningKey> {
        static KEY: OnceLock<Arc<SigningKey>> = OnceLock::new();
        KEY.get_or_init(|| Arc::new(SigningKey::generate())).clone()
    }

    fn generate() -> Self {
        let private =
            rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA key generation");
        let der = private.to_pkcs1_der().expect("PKCS#1 encoding");
        let n = URL_SAFE_NO_PAD.encode(private.n().to_bytes_be());
        let e = URL_SAFE_NO_PAD.encode(private.e().to_bytes_be());
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(n.as_bytes())[..20]);
        Self {
            kid,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            decoding: DecodingKey::from_rsa_components(&n, &e).expect("public components"),
            n,
            e,
        }
    }

    /// The JWKS document (`/discovery/v2.0/keys`).
    pub fn jwks(&self, issuer: &str) -> serde_json::Value {
        serde_json::json!({
            "keys": [{
                "kty": "RSA",
                "use": "sig",
                "kid": self.kid,
                "x5t": self.kid,
                "n": self.n,
                "e": self.e,
                "issuer": issuer,
            }]
        })
    }

    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("signing a JWT")
    }

    /// Verifies signature, audience and expiry; returns the claims.
    pub fn verify_access_token(
        &self,
        token: &str,
        audience: &str,
    ) -> Result<AccessClaims, TokenProblem> {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[audience, &format!("{audience}/")]);
        validation.leeway = 0;
        validation.validate_nbf = true;
        match jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &validation) {
            Ok(data) => Ok(data.claims),
            Err(e) => Err(match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenProblem::Expired,
                jsonwebtoken::errors::ErrorKind::InvalidAudience => TokenProblem::WrongAudience,
                _ => TokenProblem::Invalid,
            }),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenProblem {
    Expired,
    WrongAudience,
    Invalid,
}

/// Claims of a v1 access token as ARM and Graph receive it: a user's
/// (`idtyp: user`, with `scp`, `upn`, `name`) or an application's
/// (`idtyp: app`, client credentials: `roles`, `app_displayname`, no `scp`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AccessClaims {
    pub aud: String,
    pub iss: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub appid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app_displayname: String,
    pub idtyp: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub oid: String,
    /// Application permissions granted to the app (app role values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub scp: String,
    pub sub: String,
    pub tid: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub upn: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unique_name: String,
    pub uti: String,
    pub ver: String,
    /// How the user authenticated (`pwd`, `mfa`), as Entra's v1 tokens say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amr: Vec<String>,
}

impl AccessClaims {
    /// Whether an application signed in on its own (client credentials).
    pub fn is_app(&self) -> bool {
        self.idtyp == "app"
    }
}

/// Claims of a v2 ID token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdClaims {
    pub aud: String,
    pub iss: String,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    pub name: String,
    pub oid: String,
    pub preferred_username: String,
    pub sub: String,
    pub tid: String,
    pub uti: String,
    pub ver: String,
    /// The authorize request's `nonce`, when it sent one (OIDC: the client
    /// checks it against what it sent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub scopes: Vec<String>,
    pub user_id: String,
    pub issued_at: u64,
    /// The authorize request's `nonce`, for the ID token.
    pub nonce: Option<String>,
}

/// A device-code sign-in waiting for its user (RFC 8628).
#[derive(Debug, Clone)]
pub struct PendingDevice {
    pub user_code: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub issued_at: u64,
    /// Set once the user entered the code and picked an account.
    pub approved_user: Option<String>,
}

/// How long a device code may be redeemed (Entra: 900 s).
pub const DEVICE_CODE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(900);

/// A user code as Entra shows them: nine letters and digits without look-alikes.
pub fn user_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 9];
    rand_core::OsRng.fill_bytes(&mut buf);
    buf.iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// The key a refresh token is kept under: its SHA-256. The emulator, like a
/// careful token service, never stores a usable token, so its state file
/// (`--state`) holds none.
pub fn token_key(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A live refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RefreshGrant {
    pub client_id: String,
    pub user_id: String,
    pub issued_at: u64,
    /// The sign-in that began this session completed multi-factor
    /// authentication (its tokens carry `amr` `mfa`).
    #[serde(default = "yes")]
    pub mfa: bool,
}

fn yes() -> bool {
    true
}

/// Codes and refresh tokens the tenant has handed out. Refresh tokens are
/// keyed by [`token_key`]; codes live ten minutes and are not persisted.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct TokenStore {
    #[serde(skip)]
    pub codes: HashMap<String, PendingCode>,
    /// Codes already redeemed, kept to answer a second redemption with AADSTS54005.
    #[serde(skip)]
    pub redeemed_codes: std::collections::HashSet<String>,
    /// Device codes by `device_code`; not persisted, like authorization codes.
    #[serde(skip)]
    pub device_codes: HashMap<String, PendingDevice>,
    pub refresh: HashMap<String, RefreshGrant>,
    /// Refresh tokens replaced by rotation or revoked: using one again is refused.
    pub retired_refresh: HashMap<String, RefreshGrant>,
    /// Per user: tokens issued before this instant are revoked (Entra's TokensValidFrom).
    pub valid_from: HashMap<String, u64>,
    /// Per user: resource servers challenge access tokens issued at or before
    /// this instant (continuous access evaluation); refresh tokens stay valid.
    pub cae_events: HashMap<String, u64>,
    /// Users whose next silent (refresh-token) sign-in must become interactive:
    /// MFA or Conditional Access demands it (AADSTS50076).
    pub mfa_required: std::collections::HashSet<String>,
}

impl TokenStore {
    pub fn issue_refresh_token(&mut self, client_id: &str, user_id: &str, mfa: bool) -> String {
        let token = format!("1.{}", random_token(48));
        self.refresh.insert(
            token_key(&token),
            RefreshGrant {
                client_id: client_id.into(),
                user_id: user_id.into(),
                issued_at: now_secs(),
                mfa,
            },
        );
        token
    }

    /// Revokes every refresh token of `user_id` (as "revoke sessions" does).
    pub fn revoke_user(&mut self, user_id: &str) {
        let revoked: Vec<String> = self
            .refresh
            .iter()
            .filter(|(_, g)| g.user_id.eq_ignore_ascii_case(user_id))
            .map(|(t, _)| t.clone())
            .collect();
        for token in revoked {
            if let Some(grant) = self.refresh.remove(&token) {
                self.retired_refresh.insert(token, grant);
            }
        }
        self.valid_from
            .insert(user_id.to_ascii_lowercase(), now_secs());
    }
}

/// The `claims` of a CAE challenge: base64 of `{"access_token":{"nbf":{"essential":true,"value":"…"}}}`.
pub fn cae_claims(nbf: u64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!(
        "{{\"access_token\":{{\"nbf\":{{\"essential\":true, \"value\":\"{nbf}\"}}}}}}"
    ))
}

/// PKCE S256: base64url(SHA-256(verifier)) must equal the challenge (RFC 7636).
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    // Constant-time enough for an emulator; the lengths are public.
    computed.len() == challenge.len()
        && computed
            .bytes()
            .zip(challenge.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// `client_info`: base64url of `{"uid","utid"}`, as MSAL reads it.
pub fn client_info(oid: &str, tid: &str) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::json!({"uid": oid, "utid": tid}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_follows_rfc_7636_appendix_b() {
        // The example verifier and challenge from RFC 7636, Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_matches(verifier, challenge));
        assert!(!pkce_matches(
            "another-verifier-of-enough-length-xxxxxxxxxx",
            challenge
        ));
    }

    #[test]
    fn access_tokens_verify_only_for_their_audience_and_until_expiry() {
        let key = SigningKey::shared();
        let now = now_secs();
        let claims = |aud: &str, exp: u64| AccessClaims {
            aud: aud.into(),
            iss: "https://sts.windows.net/t/".into(),
            iat: now,
            nbf: now,
            exp,
            appid: "client".into(),
            idtyp: "user".into(),
            name: "n".into(),
            oid: "o".into(),
            scp: "user_impersonation".into(),
            sub: "s".into(),
            tid: "t".into(),
            upn: "u".into(),
            unique_name: "u".into(),
            uti: "x".into(),
            ver: "1.0".into(),
            ..Default::default()
        };
        let arm = "https://management.azure.com";
        let good = key.sign(&claims(arm, now + 600));
        assert_eq!(key.verify_access_token(&good, arm).unwrap().oid, "o");
        assert_eq!(
            key.verify_access_token(&good, "https://graph.microsoft.com")
                .unwrap_err(),
            TokenProblem::WrongAudience
        );
        let expired = key.sign(&claims(arm, now - 10));
        assert_eq!(
            key.verify_access_token(&expired, arm).unwrap_err(),
            TokenProblem::Expired
        );
        let mut tampered = good.clone();
        tampered.pop();
        tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(
            key.verify_access_token(&tampered, arm).unwrap_err(),
            TokenProblem::Invalid
        );
    }

    #[test]
    fn client_info_is_base64url_json() {
        let decoded = URL_SAFE_NO_PAD.decode(client_info("u1", "t1")).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&decoded).unwrap();
        assert_eq!(value, serde_json::json!({"uid": "u1", "utid": "t1"}));
    }
}
