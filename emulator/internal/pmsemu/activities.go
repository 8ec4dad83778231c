package pmsemu

import (
	"encoding/xml"
	"net/http"
	"slices"
	"time"
)

// An activity is long-running work of the server (a library scan, a butler task) as
// GET /activities lists it. It runs on the emulator's clock: its progress is the share of its
// duration that has passed, and once that is over it is gone from the list and its effect (a
// scanned section's new updatedAt, say) has happened. The effect runs when the activity is
// found finished, on the next request that looks at activities, so a test that moves the clock
// sees it at once without a timer in the server.
type activity struct {
	uuid, kind, title, subtitle string
	cancellable                 bool
	userID                      int // server-local account id of who started it
	started                     time.Time
	duration                    time.Duration
	context                     map[string]string
	done                        func() // the effect; nil for none
	butlerTask                  string // the task this runs, for a butler activity
}

// Durations of the activities the emulator runs, on its clock.
const (
	scanDuration       = 10 * time.Second
	analyzeDuration    = 30 * time.Second
	emptyTrashDuration = 2 * time.Second
	butlerDuration     = time.Minute
)

// startActivity adds a and returns it; a.uuid and a.started are filled in.
func (o *ops) startActivity(a *activity) *activity {
	a.uuid = newUUID()
	a.started = o.h.cfg.Now()
	o.mu.Lock()
	o.activities = append(o.activities, a)
	if a.butlerTask != "" {
		o.butler[a.butlerTask] = a
	}
	o.mu.Unlock()
	o.h.publishActivity("started", a, 0)
	return a
}

// running returns the activities still running now, after completing those that are over.
func (o *ops) running() []*activity {
	now := o.h.cfg.Now()
	var finished []*activity
	o.mu.Lock()
	o.activities = slices.DeleteFunc(o.activities, func(a *activity) bool {
		if now.Before(a.started.Add(a.duration)) {
			return false
		}
		finished = append(finished, a)
		return true
	})
	for _, a := range finished {
		o.forgetLocked(a)
	}
	live := slices.Clone(o.activities)
	o.mu.Unlock()
	// Effects run outside the lock: they change the media model, which has its own.
	for _, a := range finished {
		o.h.publishActivity("ended", a, 100)
		if a.done != nil {
			a.done()
		}
	}
	return live
}

// cancel removes a without its effect.
func (o *ops) cancel(a *activity) {
	o.mu.Lock()
	o.activities = slices.DeleteFunc(o.activities, func(x *activity) bool { return x == a })
	o.forgetLocked(a)
	o.mu.Unlock()
	o.h.publishActivity("ended", a, int(100*o.h.cfg.Now().Sub(a.started)/a.duration))
}

func (o *ops) forgetLocked(a *activity) {
	if a.butlerTask != "" && o.butler[a.butlerTask] == a {
		delete(o.butler, a.butlerTask)
	}
}

// visible returns the running activities c's caller may see: all for the admin, their own for
// anyone else, as the spec describes.
func (o *ops) visible(c *call) []*activity {
	all := o.running()
	if c.caller.Role == RoleAdmin {
		return all
	}
	me := o.h.account(c)
	return slices.DeleteFunc(all, func(a *activity) bool { return a.userID != me })
}

type activityElement struct {
	XMLName     xml.Name        `json:"-" xml:"Activity"`
	UUID        string          `json:"uuid" xml:"uuid,attr"`
	Type        string          `json:"type" xml:"type,attr"`
	Cancellable xbool           `json:"cancellable" xml:"cancellable,attr"`
	UserID      int             `json:"userID" xml:"userID,attr"`
	Title       string          `json:"title" xml:"title,attr"`
	Subtitle    string          `json:"subtitle" xml:"subtitle,attr"`
	Progress    int             `json:"progress" xml:"progress,attr"`
	Context     *activityValues `json:"Context,omitempty" xml:"Context,omitempty"`
}

// activityValues is a free-form Context: attributes in XML, an object in JSON.
type activityValues map[string]string

// MarshalXML implements xml.Marshaler.
func (v activityValues) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	for _, k := range slices.Sorted(func(yield func(string) bool) {
		for k := range v {
			if !yield(k) {
				return
			}
		}
	}) {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: k}, Value: v[k]})
	}
	return e.EncodeElement(struct{}{}, start)
}

type activitiesContainer struct {
	XMLName xml.Name `json:"-" xml:"MediaContainer"`
	Size    int      `json:"size" xml:"size,attr"`
}

func (o *ops) element(a *activity) activityElement {
	el := activityElement{
		UUID: a.uuid, Type: a.kind, Cancellable: xbool(a.cancellable), UserID: a.userID,
		Title: a.title, Subtitle: a.subtitle,
		Progress: int(100 * o.h.cfg.Now().Sub(a.started) / a.duration),
	}
	if a.context != nil {
		ctx := activityValues(a.context)
		el.Context = &ctx
	}
	return el
}

// activitiesList serves GET /activities.
func (o *ops) activitiesList(c *call) {
	acts := o.visible(c)
	list{head: activitiesContainer{Size: len(acts)}, childKey: "Activity", n: len(acts), child: func(i int) any {
		return o.element(acts[i])
	}}.write(c.w, c.json)
}

// activityCancel serves DELETE /activities/{activityId} (admin only in the spec): 404 for an
// activity that is not running, 400 for one that cannot be cancelled.
func (o *ops) activityCancel(c *call) {
	id := lastSegment(c.r.URL.Path)
	acts := o.visible(c)
	i := slices.IndexFunc(acts, func(a *activity) bool { return a.uuid == id })
	if i < 0 {
		writeError(c.w, http.StatusNotFound)
		return
	}
	a := acts[i]
	if !a.cancellable {
		writeError(c.w, http.StatusBadRequest)
		return
	}
	o.cancel(a)
	writeOK(c)
}
