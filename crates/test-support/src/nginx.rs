//! Debian's nginx, run in the foreground from a scratch directory (its config, logs, temp
//! files and cache all there), stopped when dropped. The cluster test and the server bench
//! put it in front of piece-servers with the deployment's files (`deploy/nginx/`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::paths::repo;

/// Debian's nginx binary.
pub const NGINX: &str = "/usr/sbin/nginx";

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running nginx, stopped when dropped.
pub struct Nginx {
    _child: StopOnDrop,
    /// Its directory (`-p`): `nginx.conf`, `error.log`, anything the config writes.
    pub dir: PathBuf,
}

impl Nginx {
    /// Starts `bin` from `dir` with `main` (top-level directives: workers, `error_log`,
    /// `events`) and `http` (inside `http { }`). The pid file and every temp path are in
    /// `dir`. As root its workers stay root: the default unprivileged user could not write
    /// under a scratch directory.
    pub fn start(bin: &Path, dir: &Path, main: &str, http: &str) -> Nginx {
        std::fs::create_dir_all(dir).unwrap();
        let d = dir.display();
        let root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0");
        let conf = format!(
            "{user}daemon off;\npid {d}/nginx.pid;\n{main}\n\
             http {{\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             {http}\n}}\n",
            user = if root { "user root;\n" } else { "" },
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(bin)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .arg("-p")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} (scripts/test.sh installs nginx)", bin.display()));
        Nginx { _child: StopOnDrop(child), dir: dir.to_path_buf() }
    }

    /// Makes the deployment's files (`deploy/nginx/`) includable as `riptide/…`, where a real
    /// nginx has them (`<conf dir>/riptide/`). Call before [`start`](Self::start).
    pub fn link_deploy_files(dir: &Path) {
        std::fs::create_dir_all(dir).unwrap();
        let deploy = repo().join("deploy/nginx").canonicalize().unwrap();
        std::os::unix::fs::symlink(deploy, dir.join("riptide")).unwrap();
    }

    /// Waits until it accepts connections on `port` (panics with its error log after 10 s).
    pub fn wait_for(self, port: u16) -> Nginx {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not start: {}",
                std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        self
    }
}

/// A child process stopped when dropped: SIGTERM first (nginx's master then stops its
/// workers; SIGKILL would orphan them), SIGKILL if it is still there after 5 s.
pub struct StopOnDrop(pub Child);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
