//! `piece-server`: a thin CLI over the library. See `piece-server --help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use piece_server::Config;

/// Streams BitTorrent files over HTTP Range requests for the Riptide player.
#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Server flags (used when no subcommand is given, which means `serve`).
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve {
        #[command(flatten)]
        config: Config,
    },
    /// Seed a local file: prints its magnet link (first line) and a player URL, then keeps
    /// serving HTTP like `serve`.
    Seed {
        /// The file to seed. It is served in place, not copied.
        file: PathBuf,
        /// Piece length in bytes (a power of two >= 16384). Default: 256 KiB, doubled until
        /// the torrent has at most 4096 pieces.
        #[arg(long, value_name = "BYTES")]
        piece_length: Option<u32>,
        #[command(flatten)]
        config: Config,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                // Default: our own info lines, librqbit's warnings, and none of the DHT's retry
                // chatter (which repeats every few seconds on a machine without internet).
                // RUST_LOG overrides, e.g. RUST_LOG=debug.
                .unwrap_or_else(|_| "info,librqbit=warn,librqbit_dht=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        None => piece_server::serve(cli.config).await,
        Some(Command::Serve { config }) => piece_server::serve(config).await,
        Some(Command::Seed {
            file,
            piece_length,
            config,
        }) => {
            let session = piece_server::start_session(&config).await?;
            let listener = piece_server::bind(&config).await?;
            let addr = listener.local_addr()?;
            let info = piece_server::seed(&session, &file, piece_length).await?;
            println!("{}", info.magnet);
            let scheme = if config.net.tls() { "https" } else { "http" };
            println!(
                "{scheme}://{addr}/?magnet={}",
                urlencoding::encode(&info.magnet)
            );
            let state = piece_server::AppState::new(session, config);
            state.samples.write().expect("samples lock").push(info);
            piece_server::serve_on(listener, state).await
        }
    }
}
