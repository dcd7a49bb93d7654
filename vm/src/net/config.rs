//! The `parties.toml` file: where each party listens and which certificate
//! it proves itself with.
//!
//! ```toml
//! [[party]]
//! name = "alice"                  # as in the program
//! address = "127.0.0.1:7001"      # host:port that the other parties dial
//! listen = "0.0.0.0:7001"         # optional: where this party binds (default: `address`)
//! certificate = "certs/alice.pem" # optional, default certs/NAME.pem beside this file
//! key = "certs/alice.key"         # optional, default certs/NAME.key beside this file
//! ```
//!
//! Every party runs with the same file (only its own `key` needs to exist on
//! its machine); relative paths are relative to the file's directory.
//! Addresses stay strings here and are resolved when connecting, so host
//! names work and may start resolving only once a peer's machine is up.

use std::collections::{HashMap, HashSet};
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// One party's entry in `parties.toml`, with defaults filled in and paths
/// resolved: what connecting needs to know about a party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyAddress {
    /// The party's name, as in the program.
    pub name: String,
    /// `host:port` the other parties dial.
    pub address: String,
    /// `host:port` this party binds its listener to (default: `address`).
    pub listen: String,
    /// The party's certificate file (PEM; leaf first if it holds a chain).
    pub certificate: PathBuf,
    /// The party's private key file (PEM); only its owner needs it.
    pub key: PathBuf,
}

/// A parsed `parties.toml`: the parties a networked run may involve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    /// The file it came from (error messages name it).
    pub path: PathBuf,
    /// The parties, in the file's order.
    pub parties: Vec<PartyAddress>,
}

/// Why `parties.toml` could not be used; every message names the file and,
/// where there is one, the party and field concerned.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the party configuration {}: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has keys this version does not know.
    #[error("{}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The TOML parser's message (with line and column).
        message: String,
    },
    /// The file lists no `[[party]]` at all.
    #[error("{}: no parties: add a [[party]] table for each party", path.display())]
    NoParties {
        /// The file.
        path: PathBuf,
    },
    /// A party's name is unusable (empty, or not usable in a file name).
    #[error("{}: party #{number} has {why}", path.display())]
    BadName {
        /// The file.
        path: PathBuf,
        /// The party's position in the file, from 1.
        number: usize,
        /// What is wrong with the name.
        why: String,
    },
    /// Two entries have the same name.
    #[error("{}: party `{name}` is listed twice", path.display())]
    DuplicateName {
        /// The file.
        path: PathBuf,
        /// The repeated name.
        name: String,
    },
    /// An `address` or `listen` value is not `host:port`.
    #[error("{}: party `{party}`: {field} `{value}` {why}", path.display())]
    BadAddress {
        /// The file.
        path: PathBuf,
        /// The party whose entry is wrong.
        party: String,
        /// `address` or `listen`.
        field: &'static str,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// Two parties claim the same address, so one could never be reached.
    #[error("{}: parties `{first}` and `{second}` have the same address `{address}`", path.display())]
    DuplicateAddress {
        /// The file.
        path: PathBuf,
        /// The shared address.
        address: String,
        /// The first party with it.
        first: String,
        /// The second party with it.
        second: String,
    },
}

/// The file as written (before defaults).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    party: Vec<RawParty>,
}

/// One `[[party]]` table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParty {
    name: String,
    address: String,
    listen: Option<String>,
    certificate: Option<PathBuf>,
    key: Option<PathBuf>,
}

impl NetConfig {
    /// Reads and checks the configuration at `path`.
    pub fn load(path: &Path) -> Result<NetConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.to_path_buf(),
            source,
        })?;
        NetConfig::parse(&text, path)
    }

    /// Parses and checks configuration text said to come from `path`;
    /// relative certificate and key paths are resolved against `path`'s
    /// directory.
    pub fn parse(text: &str, path: &Path) -> Result<NetConfig, ConfigError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;
        if raw.party.is_empty() {
            return Err(ConfigError::NoParties {
                path: path.to_path_buf(),
            });
        }
        let dir = path.parent().unwrap_or(Path::new(""));
        let mut parties = Vec::with_capacity(raw.party.len());
        let mut names: HashSet<String> = HashSet::new();
        let mut addresses: HashMap<String, String> = HashMap::new();
        for (i, p) in raw.party.into_iter().enumerate() {
            if let Some(why) = name_problem(&p.name) {
                return Err(ConfigError::BadName {
                    path: path.to_path_buf(),
                    number: i + 1,
                    why,
                });
            }
            if !names.insert(p.name.clone()) {
                return Err(ConfigError::DuplicateName {
                    path: path.to_path_buf(),
                    name: p.name,
                });
            }
            let listen = p.listen.unwrap_or_else(|| p.address.clone());
            for (field, value) in [("address", &p.address), ("listen", &listen)] {
                if let Err(why) = check_host_port(value) {
                    return Err(ConfigError::BadAddress {
                        path: path.to_path_buf(),
                        party: p.name.clone(),
                        field,
                        value: value.clone(),
                        why,
                    });
                }
            }
            if let Some(first) = addresses.insert(p.address.clone(), p.name.clone()) {
                return Err(ConfigError::DuplicateAddress {
                    path: path.to_path_buf(),
                    address: p.address,
                    first,
                    second: p.name,
                });
            }
            let certificate = dir.join(
                p.certificate
                    .unwrap_or_else(|| Path::new("certs").join(format!("{}.pem", p.name))),
            );
            let key = dir.join(
                p.key
                    .unwrap_or_else(|| Path::new("certs").join(format!("{}.key", p.name))),
            );
            parties.push(PartyAddress {
                name: p.name,
                address: p.address,
                listen,
                certificate,
                key,
            });
        }
        Ok(NetConfig {
            path: path.to_path_buf(),
            parties,
        })
    }

    /// The entry for party `name`, if the file has one.
    pub fn party(&self, name: &str) -> Option<&PartyAddress> {
        self.parties.iter().find(|p| p.name == name)
    }
}

/// What is wrong with a party name, if anything. Names become default file
/// names (`certs/NAME.pem`), so separators and control characters are out.
fn name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("an empty name".to_string());
    }
    if name == "." || name == ".." || name.contains(['/', '\\']) {
        return Some(format!(
            "the name `{name}`, which is not usable as a file name"
        ));
    }
    if name.chars().any(char::is_control) {
        return Some(format!("the name {name:?}, which has control characters"));
    }
    None
}

/// Checks that `value` has the shape `host:port` (IPv6 hosts in brackets);
/// resolution waits until connecting.
fn check_host_port(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("is empty (expected host:port)".to_string());
    }
    let (host, port) = if let Some(rest) = value.strip_prefix('[') {
        let Some((host, port)) = rest.split_once("]:") else {
            return Err("is not [IPv6 address]:port".to_string());
        };
        if host.parse::<Ipv6Addr>().is_err() {
            return Err(format!(
                "has `{host}` in brackets, which is not an IPv6 address"
            ));
        }
        (host, port)
    } else {
        let Some((host, port)) = value.rsplit_once(':') else {
            return Err("has no port (expected host:port)".to_string());
        };
        if host.contains(':') {
            return Err("has an IPv6 host outside brackets (write it as [::1]:7001)".to_string());
        }
        (host, port)
    };
    if host.is_empty() {
        return Err("has no host (expected host:port)".to_string());
    }
    if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("has spaces or control characters in its host".to_string());
    }
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(()),
        _ => Err(format!(
            "has port `{port}`, which is not a number from 1 to 65535"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<NetConfig, ConfigError> {
        NetConfig::parse(text, Path::new("/etc/veil/parties.toml"))
    }

    fn err(text: &str) -> String {
        match parse(text) {
            Ok(c) => panic!("accepted {c:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults_are_relative_to_the_file() {
        let c = parse(
            r#"
            [[party]]
            name = "alice"
            address = "127.0.0.1:7001"
            listen = "0.0.0.0:7001"
            certificate = "keys/a.crt"
            key = "/secret/a.key"

            [[party]]
            name = "bob"
            address = "bob.example:7002"
            "#,
        )
        .expect("valid");
        assert_eq!(c.path, Path::new("/etc/veil/parties.toml"));
        assert_eq!(c.parties.len(), 2);
        let a = c.party("alice").expect("alice");
        assert_eq!(a.listen, "0.0.0.0:7001");
        assert_eq!(a.certificate, Path::new("/etc/veil/keys/a.crt"));
        assert_eq!(a.key, Path::new("/secret/a.key"));
        let b = c.party("bob").expect("bob");
        assert_eq!(b.address, "bob.example:7002");
        assert_eq!(b.listen, "bob.example:7002");
        assert_eq!(b.certificate, Path::new("/etc/veil/certs/bob.pem"));
        assert_eq!(b.key, Path::new("/etc/veil/certs/bob.key"));
        assert!(c.party("carol").is_none());
    }

    #[test]
    fn a_bare_file_name_resolves_against_the_working_directory() {
        let c = NetConfig::parse(
            "[[party]]\nname = \"a\"\naddress = \"[::1]:9\"\n",
            Path::new("parties.toml"),
        )
        .expect("valid");
        assert_eq!(c.parties[0].certificate, Path::new("certs/a.pem"));
    }

    #[test]
    fn load_reads_the_file_and_names_it_when_missing() {
        let dir = std::env::temp_dir().join(format!("veil-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let path = dir.join("parties.toml");
        std::fs::write(&path, "[[party]]\nname = \"a\"\naddress = \"h:1\"\n").expect("write");
        let c = NetConfig::load(&path).expect("loads");
        assert_eq!(c.parties[0].key, dir.join("certs/a.key"));
        let missing = dir.join("nope.toml");
        let e = NetConfig::load(&missing).expect_err("missing file");
        assert!(matches!(e, ConfigError::Unreadable { .. }));
        assert!(e.to_string().contains("nope.toml"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn syntax_errors_have_the_file_and_position() {
        let e = err("[[party]]\nname = \"a\"\naddress = \n");
        assert!(e.starts_with("/etc/veil/parties.toml: "), "{e}");
        assert!(e.contains("line 3"), "{e}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = err("[[party]]\nname = \"a\"\naddress = \"h:1\"\ncert = \"x\"\n");
        assert!(e.contains("cert"), "{e}");
        let e = err("parties = 3\n");
        assert!(e.contains("parties"), "{e}");
        let e = err("[[party]]\nname = \"a\"\n");
        assert!(e.contains("address"), "{e}");
    }

    #[test]
    fn no_parties() {
        assert!(err("").contains("no parties"));
        assert!(err("party = []").contains("no parties"));
    }

    #[test]
    fn bad_names() {
        let e = err("[[party]]\nname = \"\"\naddress = \"h:1\"\n");
        assert!(e.contains("party #1 has an empty name"), "{e}");
        let e = err("[[party]]\nname = \"a\"\naddress = \"h:1\"\n[[party]]\nname = \"../x\"\naddress = \"h:2\"\n");
        assert!(e.contains("party #2") && e.contains("../x"), "{e}");
    }

    #[test]
    fn duplicate_names() {
        let e = err(
            "[[party]]\nname = \"a\"\naddress = \"h:1\"\n[[party]]\nname = \"a\"\naddress = \"h:2\"\n",
        );
        assert!(e.contains("party `a` is listed twice"), "{e}");
    }

    #[test]
    fn bad_addresses() {
        for (address, says) in [
            ("localhost", "no port"),
            ("localhost:", "not a number"),
            ("localhost:99999", "not a number"),
            ("localhost:0", "not a number"),
            (":7001", "no host"),
            ("::1:7001", "brackets"),
            ("[x]:7001", "not an IPv6"),
            ("[::1]", "[IPv6 address]:port"),
            ("", "empty"),
        ] {
            let e = err(&format!(
                "[[party]]\nname = \"a\"\naddress = \"{address}\"\n"
            ));
            assert!(
                e.contains("party `a`: address") && e.contains(says),
                "{address}: {e}"
            );
        }
        let e = err("[[party]]\nname = \"a\"\naddress = \"h:1\"\nlisten = \"0.0.0.0\"\n");
        assert!(e.contains("party `a`: listen `0.0.0.0` has no port"), "{e}");
    }

    #[test]
    fn duplicate_addresses() {
        let e = err(
            "[[party]]\nname = \"a\"\naddress = \"h:1\"\n[[party]]\nname = \"b\"\naddress = \"h:1\"\n",
        );
        assert!(
            e.contains("parties `a` and `b` have the same address `h:1`"),
            "{e}"
        );
    }
}
