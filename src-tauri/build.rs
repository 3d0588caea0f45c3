fn main() {
    const COMMANDS: &[&str] = include!("commands.rs.in");
    println!("cargo:rerun-if-changed=src-tauri/commands.rs.in");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri-build failed");
}
