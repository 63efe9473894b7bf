package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Names of the files inside the data folder.
const (
	databaseFile  = "octoinvite.db"
	masterKeyFile = "master.key"
	lockFileName  = "octoinvite.lock"
)

// The modes of the data folder and of every file in it: the database holds password hashes,
// email and client addresses, the key file the key that seals invitation codes.
const (
	dataFolderMode = 0o700
	dataFileMode   = 0o600
)

// errLocked is what lockFile returns when another open file holds the lock.
var errLocked = errors.New("locked by another server")

// makeDataFolder creates the data folder, open to its owner only, unless it exists.
func makeDataFolder(dir string) error {
	if err := os.MkdirAll(dir, dataFolderMode); err != nil {
		return fmt.Errorf("creating the data folder: %w", err)
	}
	return nil
}

// lockDataFolder takes the exclusive lock that keeps a second server off the data folder, for as
// long as the returned file stays open, and writes this process's ID into the lock file so that
// a second server can name the first. Two servers on one SQLite database would each trust their
// own cache of API keys and invitations, so that a key revoked through one would keep working on
// the other.
func lockDataFolder(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, dataFileMode)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file of the data folder: %w", err)
	}
	if err := lockFile(f); errors.Is(err, errLocked) {
		holder := "another server"
		if b, err := io.ReadAll(io.LimitReader(f, 32)); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				holder = fmt.Sprintf("another server (PID %d)", pid)
			}
		}
		f.Close()
		return nil, fmt.Errorf("the data folder %s is in use by %s: stop that server first, or give this one another --data "+
			"(servers that share a database need PostgreSQL, see --database)", dir, holder)
	} else if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking the data folder %s: %w", dir, err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the lock file: %w", err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("writing the lock file: %w", err)
	}
	return f, nil
}

// createPrivate creates an empty file at path, open to its owner only, unless one exists. SQLite
// opens an empty file as a new database and gives the -wal and -shm files it makes beside it the
// database file's mode, so creating the database file first is what keeps all three private.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, dataFileMode)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return err
	}
	return f.Close()
}

// warnOpenModes logs a warning for the data folder, and for each file in it, that other users
// may read or write: a folder made by an earlier version, or by hand, or copied without its modes.
// Windows has no such modes.
func warnOpenModes(dir string, logger *slog.Logger) {
	if runtime.GOOS == "windows" {
		return
	}
	warn := func(path string, mode, want fs.FileMode) {
		logger.Warn("other users can open this file of the data folder, which holds password hashes and keys",
			slog.String("path", path), slog.String("mode", fmt.Sprintf("%04o", mode)),
			slog.String("fix", fmt.Sprintf("chmod %o %s", want, path)))
	}
	if info, err := os.Stat(dir); err == nil && info.Mode().Perm()&0o077 != 0 {
		warn(dir, info.Mode().Perm(), dataFolderMode)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if info.Mode().Perm()&0o077 != 0 {
			warn(filepath.Join(dir, e.Name()), info.Mode().Perm(), dataFileMode)
		}
	}
}

// readSecretFile returns the secret held in the file at path, without surrounding blanks, for the
// flag named by flag.
func readSecretFile(flag, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("invalid %s: %v", flag, err)
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", fmt.Errorf("invalid %s: the file %s is empty", flag, path)
	}
	return s, nil
}
