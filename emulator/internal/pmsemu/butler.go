package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"strings"
)

// butlerTask is one of the server's scheduled maintenance tasks.
type butlerTask struct {
	name, title, description string
	interval                 int // days
	randomized, enabled      bool
}

// butlerTasks are a PMS's butler tasks (the spec's list, with its example's schedules).
var butlerTasks = []butlerTask{
	{"AutomaticUpdates", "Automatic Updates", "Download and install server updates", 1, false, false},
	{"BackupDatabase", "Backup Database", "Create a backup copy of the server's database in the configured backup directory", 3, false, true},
	{"ButlerTaskGenerateAdMarkers", "Detect Commercials", "Detect commercials in recorded TV", 1, false, false},
	{"ButlerTaskGenerateCreditsMarkers", "Detect Credits", "Detect end credits in movies and episodes", 1, true, true},
	{"ButlerTaskGenerateIntroMarkers", "Detect Intros", "Detect intros in TV episodes", 1, false, true},
	{"ButlerTaskGenerateVoiceActivity", "Detect Voice Activity", "Detect voice activity for subtitle selection", 1, true, true},
	{"CleanOldBundles", "Clean Old Bundles", "Remove metadata bundles of items no longer in the library", 7, false, true},
	{"CleanOldCacheFiles", "Clean Old Cache Files", "Remove old files from the cache", 7, false, true},
	{"DeepMediaAnalysis", "Deep Media Analysis", "Analyze media files in depth for bitrates", 1, false, true},
	{"GarbageCollectBlobs", "Garbage Collect Blobs", "Remove unused binary data from the database", 7, false, true},
	{"GarbageCollectLibraryMedia", "Garbage Collect Library Media", "Remove media no longer referenced", 1, false, true},
	{"GenerateBlurHashes", "Generate Blur Hashes", "Generate placeholders for artwork", 1, false, true},
	{"GenerateChapterThumbs", "Generate Chapter Thumbnails", "Generate chapter thumbnail images", 1, false, true},
	{"GenerateMediaIndexFiles", "Generate Media Index Files", "Generate video preview thumbnails", 1, false, false},
	{"LoudnessAnalysis", "Loudness Analysis", "Analyze the loudness of audio tracks", 1, false, true},
	{"MusicAnalysis", "Music Analysis", "Analyze music for sonic features", 1, false, true},
	{"OptimizeDatabase", "Optimize Database", "Compact and optimize the database", 7, false, true},
	{"RefreshEpgGuides", "Refresh EPG Guides", "Refresh the electronic program guides", 1, false, true},
	{"RefreshLibraries", "Refresh Libraries", "Scan the libraries for new files", 1, false, true},
	{"RefreshLocalMedia", "Refresh Local Media", "Refresh local media assets", 3, false, true},
	{"RefreshPeriodicMetadata", "Refresh Periodic Metadata", "Refresh metadata that changes over time", 1, false, true},
	{"UpgradeMediaAnalysis", "Upgrade Media Analysis", "Upgrade the analysis of older media", 1, false, true},
}

type butlerTasksRoot struct {
	XMLName xml.Name            `json:"-" xml:"ButlerTasks"`
	Task    []butlerTaskElement `json:"ButlerTask" xml:"ButlerTask"`
}

type butlerTaskElement struct {
	Name               string `json:"name" xml:"name,attr"`
	Interval           int    `json:"interval" xml:"interval,attr"`
	ScheduleRandomized xbool  `json:"scheduleRandomized" xml:"scheduleRandomized,attr"`
	Enabled            xbool  `json:"enabled" xml:"enabled,attr"`
	Title              string `json:"title" xml:"title,attr"`
	Description        string `json:"description" xml:"description,attr"`
}

// butlerList serves GET /butler. Its root is ButlerTasks, not MediaContainer (the spec's schema
// and @ctrl/plex agree).
func (o *ops) butlerList(c *call) {
	root := butlerTasksRoot{}
	for _, t := range butlerTasks {
		root.Task = append(root.Task, butlerTaskElement{t.name, t.interval, xbool(t.randomized), xbool(t.enabled), t.title, t.description})
	}
	writeValue(c, "ButlerTasks", root)
}

// startTask starts the butler task t for c's caller; false if it was running already.
func (o *ops) startTask(c *call, t butlerTask) bool {
	o.running() // a task that is over may be started again
	o.mu.Lock()
	_, busy := o.butler[t.name]
	o.mu.Unlock()
	if busy {
		return false
	}
	a := &activity{
		kind: "butler." + strings.ToLower(t.name[:1]) + t.name[1:], title: t.title, subtitle: t.description,
		cancellable: true, userID: o.h.account(c), duration: butlerDuration, butlerTask: t.name,
	}
	if t.name == "BackupDatabase" {
		// "A scheduled-task database backup completes" (reference §4.3): when it ends, not
		// when it is cancelled.
		a.done = func() { o.h.adminWebhook("admin.database.backup") }
	}
	o.startActivity(a)
	return true
}

// butlerStartAll serves POST /butler: every enabled task that is not running starts.
func (o *ops) butlerStartAll(c *call) {
	for _, t := range butlerTasks {
		if t.enabled {
			o.startTask(c, t)
		}
	}
	writeOK(c)
}

// butlerStopAll serves DELETE /butler: every running task stops.
func (o *ops) butlerStopAll(c *call) {
	for _, a := range o.running() {
		if a.butlerTask != "" {
			o.cancel(a)
		}
	}
	writeOK(c)
}

func taskNamed(name string) (butlerTask, bool) {
	i := slices.IndexFunc(butlerTasks, func(t butlerTask) bool { return t.name == name })
	if i < 0 {
		return butlerTask{}, false
	}
	return butlerTasks[i], true
}

// butlerStart serves POST /butler/{task}: 200 when it starts, 202 when it was running already,
// 404 for a task the server has not.
func (o *ops) butlerStart(c *call) {
	t, ok := taskNamed(lastSegment(c.r.URL.Path))
	if !ok {
		writeError(c.w, http.StatusNotFound)
		return
	}
	if !o.startTask(c, t) {
		writeStatus(c, http.StatusAccepted)
		return
	}
	writeOK(c)
}

// butlerStop serves DELETE /butler/{task}: 404 unless the task exists and is running.
func (o *ops) butlerStop(c *call) {
	name := lastSegment(c.r.URL.Path)
	o.running()
	o.mu.Lock()
	a := o.butler[name]
	o.mu.Unlock()
	if a == nil {
		writeError(c.w, http.StatusNotFound)
		return
	}
	o.cancel(a)
	writeOK(c)
}
