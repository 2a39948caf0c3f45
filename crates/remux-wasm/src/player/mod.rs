//! The browser player: fetch scheduler (buffer health), MSE append queue.
