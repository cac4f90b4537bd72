//! `terraform-provider-kuma`: Terraform plugin protocol 6 provider for Kuma MeshMultiZoneServices.
//!
//! Run by Terraform (go-plugin handshake on stdout, gRPC with AutoMTLS over a unix socket, or
//! loopback TCP on Windows, with `KUMA_PLUGIN_NETWORK=tcp` or with `--tcp`).
//! By hand: `--generate-docs <dir>` writes the registry docs; `--debug` serves for
//! `TF_REATTACH_PROVIDERS`; `--version` prints the version.

mod client;
mod config;
mod diag;
mod docs;
mod log;
mod plugin;
mod private;
mod provider;
mod resources;
mod roots;
mod schema;
#[cfg(test)]
mod test_server;
mod value;

/// Source address used in docs and the debug reattach line.
pub const PROVIDER_ADDRESS: &str = "kuma-mzs.local/kuma/kuma";

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") => {
            println!("terraform-provider-kuma {}", env!("CARGO_PKG_VERSION"));
            return std::process::ExitCode::SUCCESS;
        }
        Some("--generate-docs") => {
            let dir = args
                .get(1)
                .map(String::as_str)
                .unwrap_or("terraform-provider/docs");
            return match docs::write(std::path::Path::new(dir)) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("could not write docs to {dir}: {e}");
                    std::process::ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    let mode = if args.iter().any(|a| a == "--debug") {
        plugin::Mode::Debug
    } else {
        if let Err(e) = plugin::check_environment() {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
        plugin::Mode::Managed
    };
    let network = match plugin::listen::Network::choose(
        args.iter().any(|a| a == "--tcp"),
        std::env::var(plugin::listen::NETWORK_ENV).ok().as_deref(),
    ) {
        Ok(network) => network,
        Err(e) => {
            eprintln!("terraform-provider-kuma: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(plugin::serve(mode, network)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            log::error("provider failed", &[("error", &e.to_string())]);
            eprintln!("terraform-provider-kuma: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
