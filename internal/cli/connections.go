package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/plexkit/plexkit/internal/atomicfile"
)

// connectionsFile records, per server (machine identifier), the connection that answered last,
// so that the next process tries it first (pms.WithPreferredConnection) instead of racing all of
// a server's connections again: a repeat command connects in one round trip. It holds no secret.
const connectionsFile = "connections.json"

// maxRememberedServers bounds the file: a person with more servers than this connects to the
// others by a race, as without it.
const maxRememberedServers = 256

// loadConnections reads the record; a missing or unreadable one is empty (it is only a hint).
func loadConnections(dir string) map[string]string {
	m := map[string]string{}
	if dir == "" {
		return m
	}
	b, err := os.ReadFile(filepath.Join(dir, connectionsFile))
	if err != nil || len(b) > 1<<20 {
		return m
	}
	_ = json.Unmarshal(b, &m) // a damaged hint is no hint
	return m
}

// lastConnection is the connection of the server that answered last, or "".
func lastConnection(f *Factory, machineID string) string {
	return loadConnections(f.ConfigDir)[strings.ToLower(machineID)]
}

// saveConnection records uri as the server's last answering connection. Failing to save is not
// worth failing a command for: the next one races, as it would without the record.
func saveConnection(f *Factory, machineID, uri string) {
	dir := f.ConfigDir
	if dir == "" || machineID == "" {
		return
	}
	m := loadConnections(dir)
	key := strings.ToLower(machineID)
	if m[key] == uri {
		return
	}
	if _, ok := m[key]; !ok && len(m) >= maxRememberedServers {
		return
	}
	m[key] = uri
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return
	}
	_ = atomicfile.WriteFile(filepath.Join(dir, connectionsFile), append(b, '\n'), atomicfile.FilePerm, false)
}
