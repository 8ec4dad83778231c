package pmsemu

import "time"

// Section scans, analysis and trash emptying run as activities: each shows in GET /activities
// while it runs on the emulator's clock, and when it is over the section's scannedAt and
// updatedAt become the time it finished (the model's RefreshSection).

// sectionWork is one kind of work on a section.
type sectionWork struct {
	kind, verb string
	duration   time.Duration
}

var (
	scanWork       = sectionWork{"library.update.section", "Scanning", scanDuration}
	analyzeWork    = sectionWork{"library.analyze.section", "Analyzing", analyzeDuration}
	emptyTrashWork = sectionWork{"library.empty.trash", "Emptying trash of", emptyTrashDuration}
)

// startSectionWork starts w on sec for c's caller, unless the same work on it is running.
func (o *ops) startSectionWork(c *call, sec *Section, w sectionWork) {
	for _, a := range o.running() {
		if a.kind == w.kind && a.context["librarySectionID"] == sec.Key {
			return
		}
	}
	key := sec.Key
	o.startActivity(&activity{
		kind: w.kind, title: w.verb + " " + sec.Title, cancellable: true,
		userID: o.h.account(c), duration: w.duration,
		context: map[string]string{"librarySectionID": key},
		done:    func() { o.h.store.RefreshSection(key) },
	})
}

// cancelScans cancels the running scans of the section with key ("" for all sections).
func (o *ops) cancelScans(key string) {
	for _, a := range o.running() {
		if a.kind == scanWork.kind && (key == "" || a.context["librarySectionID"] == key) {
			o.cancel(a)
		}
	}
}

// sectionOp returns the handler of an operation on the section in path segment 2: it does the
// work and answers as the spec describes the operation.
func (o *ops) sectionOp(id string, work func(c *call, sec *Section)) func(*call) {
	return func(c *call) {
		sec := o.h.sectionFor(c, 2)
		if sec == nil {
			return
		}
		work(c, sec)
		serveEmpty(c, id)
	}
}

// scanOps are the handlers of the section work operations, by operationId.
func (o *ops) scanOps() map[string]func(*call) {
	return map[string]func(*call){
		"librarySectionPostRefresh": o.sectionOp("librarySectionPostRefresh", func(c *call, sec *Section) {
			o.startSectionWork(c, sec, scanWork)
		}),
		"librarySectionDeleteRefresh": o.sectionOp("librarySectionDeleteRefresh", func(c *call, sec *Section) {
			o.cancelScans(sec.Key)
		}),
		"librarySectionPutAnalyze": o.sectionOp("librarySectionPutAnalyze", func(c *call, sec *Section) {
			o.startSectionWork(c, sec, analyzeWork)
		}),
		"librarySectionPutEmptyTrash": o.sectionOp("librarySectionPutEmptyTrash", func(c *call, sec *Section) {
			o.startSectionWork(c, sec, emptyTrashWork)
		}),
		"libraryPostSectionsRefresh": func(c *call) {
			for _, sec := range o.h.store.Sections() {
				o.startSectionWork(c, sec, scanWork)
			}
			serveEmpty(c, "libraryPostSectionsRefresh")
		},
		"libraryDeleteSectionsAllRefresh": func(c *call) {
			o.cancelScans("")
			serveEmpty(c, "libraryDeleteSectionsAllRefresh")
		},
	}
}
