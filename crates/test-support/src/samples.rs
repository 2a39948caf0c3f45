//! Real-world media files, made by other people's encoders (Dolby's, DTS's, Xvid through
//! MEncoder), not by our ffmpeg commands. They are not in this repository: docs/SAMPLES.md
//! says where each comes from and how to get them. A test finds them in the directory named
//! by `RIPTIDE_SAMPLES_DIR` (scripts/test.sh sets it when the team's copy is there).
//!
//! Unset: the test prints one line naming the real-world checks it skipped, and passes. Set:
//! every file of [`SAMPLES`] must be there with its SHA-256, or the test fails saying which.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// One real-world file: its name in the samples directory and its SHA-256.
pub struct Sample {
    pub name: &'static str,
    pub sha256: &'static str,
}

/// Every sample the tests use (docs/SAMPLES.md has the source of each).
pub const SAMPLES: &[Sample] = &[
    // Dolby's test signals (DolbyLaboratories/dlb_mp4base, test/signals/).
    Sample {
        name: "dolby-5ch_dd_25fps_channel_id.ac3",
        sha256: "cd9fef94f2b76f56c056dffb74098c663cdfb5c0cc78de661cbbbbe8174cc4cc",
    },
    Sample {
        name: "dolby-7ch_ddp_25fps_channel_id.ec3",
        sha256: "4935b8409f352c3f2c81caae5030fdeffa48205c941270b8eede5d2810d159cc",
    },
    Sample {
        name: "dolby-7ch_ddp_25fps_acmod_19.mp4",
        sha256: "252fd7c91216107071cc0410e430485bca356883780ae1030c03a1b226a84c07",
    },
    // ExoPlayer's test media (google/ExoPlayer, testdata/src/test/assets/media/ts/).
    Sample {
        name: "exoplayer-sample_eac3joc.ec3",
        sha256: "32fdd125ed45e6a34e2684e2cb9e81c0612113413a6d4aceac018b815d512edc",
    },
    Sample {
        name: "exoplayer-sample.eac3",
        sha256: "38c34ebe4f5d435e5f913ed5089f924913b0441dbf35e9e8dc686423e4c23f36",
    },
    // AndroidX Media's test media (androidx/media, libraries/test_data/.../media/mkv/).
    Sample {
        name: "androidx-sample_with_dts.mkv",
        sha256: "e8120f9c38a21d2aecc6ab1c47628ca7baa1c2d91b6d4c39e2e7e37e87e41791",
    },
    Sample {
        name: "androidx-sample_with_dts_hd_ma.mkv",
        sha256: "522b99f24c104c4273beede93f7cdffe794e7c36376149706dcf41a9ed0c7df5",
    },
    // Xvid + MP3 by MEncoder (open-mmlab/mmaction2, tests/data/test.avi).
    Sample {
        name: "mmaction2-test-xvid-mp3.avi",
        sha256: "cc3ebb11e80d2900071ff929633b7476a33ee1698ac9a91206e2ba64c1c28920",
    },
    // H.264 + Vorbis by mkvmerge-era libmatroska (vstinner/hachoir, tests/files/flashmob.mkv).
    Sample {
        name: "hachoir-flashmob.mkv",
        sha256: "5fb622da345d972bf11bdee7140d91f8c3d7d7679d28e08613508cabd7158853",
    },
];

/// The samples directory, every file checked once per process: `None` (after one line saying
/// `what` is skipped) when `RIPTIDE_SAMPLES_DIR` is unset; a failure naming the file when one
/// is missing or differs.
pub fn samples_dir(what: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("RIPTIDE_SAMPLES_DIR").map(PathBuf::from) else {
        eprintln!("RIPTIDE_SAMPLES_DIR is not set: skipping the real-world checks of {what} (docs/SAMPLES.md)");
        return None;
    };
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(e) = CHECKED.get_or_init(|| verify(&dir)) {
        panic!(
            "RIPTIDE_SAMPLES_DIR={}: {e} (docs/SAMPLES.md says where each file comes from)",
            dir.display()
        );
    }
    Some(dir)
}

/// Sample `name` in the samples directory (see [`samples_dir`]).
pub fn sample(name: &str, what: &str) -> Option<PathBuf> {
    assert!(
        SAMPLES.iter().any(|s| s.name == name),
        "{name} is not in test_support::samples::SAMPLES"
    );
    samples_dir(what).map(|d| d.join(name))
}

fn verify(dir: &std::path::Path) -> Result<(), String> {
    let mut problems = Vec::new();
    for s in SAMPLES {
        let path = dir.join(s.name);
        if !path.is_file() {
            problems.push(format!("{} is missing", s.name));
            continue;
        }
        let out = Command::new("sha256sum")
            .arg(&path)
            .output()
            .map_err(|e| format!("sha256sum: {e}"))?;
        let got = String::from_utf8_lossy(&out.stdout);
        let got = got.split_whitespace().next().unwrap_or_default();
        if got != s.sha256 {
            problems.push(format!("{} has SHA-256 {got}, not {}", s.name, s.sha256));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}
