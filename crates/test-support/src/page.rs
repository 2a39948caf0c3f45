//! What the page tests (`tests/e2e_*.rs`) use, in one import: `use test_support::page as
//! support;`.

pub use crate::browser::{encode, node_play, node_play_in, require_wasm_package, Engine};
pub use crate::fixtures::named_fixture;
pub use crate::paths::{repo, tempdir};
pub use crate::probe::{offset_at, second_key_frame_offset};
pub use crate::swarm::{seeded_servers, swarm, PIECE_LENGTH, SEEDER_UPLOAD_BPS};
pub use crate::tools::have_page_tools as have_tools;
