//! What crosses IPC: the view types live in `rolecall_app::views`, one set
//! for the window and the CLI; this module only names them for the shell.

pub use rolecall_app::views::*;
