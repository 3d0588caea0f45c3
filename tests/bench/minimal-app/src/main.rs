//! A minimal Tauri 2 app, as `npm create tauri-app` makes one without a
//! command: the yardstick `cargo xtask bench startup` measures Rolecall against.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(error) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the minimal app could not start: {error}");
        std::process::exit(1);
    }
}
