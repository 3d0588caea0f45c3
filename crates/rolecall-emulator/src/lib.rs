//! `rolecall-emulator`: Microsoft Entra ID, Azure Resource Manager and
//! Microsoft Graph as Rolecall's clients see them, on loopback, over HTTPS with
//! a locally generated CA.
//!
//! It is a separate implementation of Azure's side of the wire and shares no
//! code with the clients in `rolecall-core`, so that a misunderstanding of the
//! protocol cannot cancel out between the two. Fidelity to real Azure (the
//! specs and recordings in `shared/azure-reference`) outranks convenience.
//!
//! Use it in-process with [`Emulator::start`], or as the `rolecall-emulator`
//! binary, which prints its cloud profile once ready.

pub mod arm;
pub mod entra;
pub mod graph;
pub mod seed;
pub mod server;
pub mod tls;
pub mod wire;

pub use seed::{DEMO_TENANT_ID, Seed};
pub use server::{CloudProfileJson, Emulator, Options};
