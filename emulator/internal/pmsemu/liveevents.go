package pmsemu

import "strconv"

// The media model's changes, told to clients: every Store event becomes the notifications (and
// webhooks) a PMS sends for it. Store.publish calls modelEvent outside the store's lock, and
// modelEvent only publishes to the hub, which never blocks, so it may run under any lock of the
// server (playback holds h.live.mu when it writes watch state).
func (h *handler) modelEvent(ev Event) {
	switch ev.Kind {
	case EventAdded:
		// A new item: created, then processed (reference §1.7), and library.new to the owner.
		h.publishTimeline(ev, 0, "created")
		h.publishTimeline(ev, 5, "")
		h.itemWebhook(ev, "library.new", h.cfg.OwnerAccountID, nil)
	case EventEdited:
		h.publishTimeline(ev, 5, "")
	case EventDeleted:
		h.publishTimeline(ev, 9, "deleted")
	case EventRated:
		local := ev.AccountID
		rating := h.store.State(local, ev.RatingKey).UserRating
		h.itemWebhook(ev, "media.rate", h.plexID(local), &rating)
	case EventSectionRefreshed:
		title := ev.SectionKey
		if s := h.store.Section(ev.SectionKey); s != nil {
			title = s.Title
		}
		h.hub.Publish(Notification{Type: "progress", Entry: ProgressEntry{Message: "Scanning the \"" + title + "\" section"}, AdminOnly: true})
		h.hub.Publish(Notification{Type: "status", Entry: StatusEntry{Title: "Library scan complete", NotificationName: "LIBRARY_UPDATE"}, AdminOnly: true})
	}
}

// plexID is the plex.tv id of the server-local account id local (the owner is 1).
func (h *handler) plexID(local int) int {
	if local == OwnerLocalID {
		return h.cfg.OwnerAccountID
	}
	return local
}

// publishTimeline sends the timeline entry of ev's item in state (with metadataState, if any).
func (h *handler) publishTimeline(ev Event, state int, metadataState string) {
	e := TimelineEntry{
		Identifier:    libraryIdentifier,
		SectionID:     ev.SectionKey,
		ItemID:        strconv.Itoa(ev.RatingKey),
		State:         state,
		MetadataState: metadataState,
		UpdatedAt:     ev.At.Unix(),
	}
	if it, ok := h.store.Item(ev.RatingKey); ok {
		e.Type, e.Title = typeNumbers[it.Type], it.Title
		if it.ParentRatingKey != 0 {
			e.ParentItemID = strconv.Itoa(it.ParentRatingKey)
		}
		if it.GrandparentRatingKey != 0 {
			e.RootItemID = strconv.Itoa(it.GrandparentRatingKey)
		}
	}
	h.hub.Publish(Notification{Type: "timeline", Entry: e, SectionKey: ev.SectionKey})
}

// itemWebhook queues the webhook event about ev's item, acted on by account (a plex.tv id).
func (h *handler) itemWebhook(ev Event, event string, account int, rating *float64) {
	if h.cfg.Webhooks == nil {
		return
	}
	m, ok := h.renderKey(ev.RatingKey, view{account: h.store.LocalAccountID(account)})
	if !ok {
		return
	}
	h.hub.Publish(Notification{Webhook: &WebhookEvent{Event: event, AccountID: account, Rating: rating, Metadata: h.webhookMetadataOf(m)}})
}

// publishActivity sends an activity notification: event is started, updated or ended.
func (h *handler) publishActivity(event string, a *activity, progress int) {
	ctx := make(map[string]any, len(a.context))
	for k, v := range a.context {
		ctx[k] = v
	}
	h.live.progressMu.Lock()
	if event == "ended" {
		delete(h.live.progress, a.uuid)
	} else {
		h.live.progress[a.uuid] = progress
	}
	h.live.progressMu.Unlock()
	h.hub.Publish(Notification{Type: "activity", AccountID: h.plexID(a.userID), Entry: ActivityEntry{
		Event: event, UUID: a.uuid,
		Activity: Activity{UUID: a.uuid, Type: a.kind, Cancellable: a.cancellable, UserID: a.userID,
			Title: a.title, Subtitle: a.subtitle, Progress: min(max(progress, 0), 100), Context: ctx},
	}})
}

// announce publishes "updated" for each running activity whose progress moved since it was
// last announced, and "ended" (through running) for those that are over.
func (o *ops) announce() {
	now := o.h.cfg.Now()
	for _, a := range o.running() {
		p := int(100 * now.Sub(a.started) / a.duration)
		o.h.live.progressMu.Lock()
		last, known := o.h.live.progress[a.uuid]
		o.h.live.progressMu.Unlock()
		if !known || p != last {
			o.h.publishActivity("updated", a, p)
		}
	}
}
