package pmsemu

import "strconv"

// The sample library: the first items of a section with SectionConfig.Samples are the ones
// python-plexapi's integration tests expect of the library they run against (Movies, TV Shows,
// Music and Photos of its bootstrap script), with the facts its tests assert. The rest of the
// section is generated as usual.

// sample is one item of the sample library; empty fields keep the generated value.
type sample struct {
	Title, GUID, Studio, Tagline, Slug, Summary, ContentRating string
	Year                                                       int
	Guids, Genres, Directors, Writers, Roles                   []string
	Album                                                      bool // a photo sub-album
	Children                                                   []sample
}

func (sm *sample) apply(it *Item) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&it.Title, sm.Title)
	set(&it.GUID, sm.GUID)
	set(&it.Studio, sm.Studio)
	set(&it.Tagline, sm.Tagline)
	set(&it.Slug, sm.Slug)
	set(&it.Summary, sm.Summary)
	set(&it.ContentRating, sm.ContentRating)
	if sm.Year != 0 {
		it.Year = sm.Year
		if it.OriginallyAvailableAt != "" {
			it.OriginallyAvailableAt = strconv.Itoa(sm.Year) + it.OriginallyAvailableAt[4:]
		}
	}
	if sm.Guids != nil {
		it.Guids = sm.Guids
	}
	if sm.Genres != nil {
		it.Genres = sm.Genres
	}
	if sm.Directors != nil {
		it.Directors = sm.Directors
	}
	if sm.Writers != nil {
		it.Writers = sm.Writers
	}
	if sm.Roles != nil {
		it.Roles = sm.Roles
	}
}

// episodes returns n episodes titled "Episode i", with the given titles replacing the first
// ones.
func episodes(n int, titles ...sample) []sample {
	out := make([]sample, n)
	for i := range out {
		out[i] = sample{Title: "Episode " + strconv.Itoa(i+1)}
	}
	copy(out, titles)
	return out
}

func photos(n int) []sample {
	out := make([]sample, n)
	for i := range out {
		out[i] = sample{Title: "photo" + strconv.Itoa(i+1)}
	}
	return out
}

var sampleLibrary = map[string][]sample{
	"movie": {
		{Title: "Elephants Dream", Year: 2006, Genres: []string{"Animation", "Science Fiction"}},
		{Title: "Sita Sings the Blues", Year: 2008, GUID: "plex://movie/5d776846880197001ec967c6",
			Guids: []string{"imdb://tt1172203", "tmdb://20529"}, Studio: "Nina Paley",
			Tagline: "The Greatest Break-Up Story Ever Told.", Slug: "sita-sings-the-blues", Genres: []string{"Animation"}},
		{Title: "Big Buck Bunny", Year: 2008, Genres: []string{"Animation", "Comedy"}},
		{Title: "Sintel", Year: 2010, Genres: []string{"Animation", "Fantasy"}},
	},
	"show": {
		{Title: "Game of Thrones", Year: 2011, GUID: "plex://show/5d9c086c46115600200aa2fe",
			Guids: []string{"tvdb://121361", "tmdb://1399"}, Studio: "Revolution Sun Studios",
			Tagline: "Winter is coming.", Slug: "game-of-thrones", Genres: []string{"Drama"},
			Roles: []string{"Emilia Clarke", "Kit Harington"}, ContentRating: "TV-MA",
			Children: []sample{
				{GUID: "plex://season/602e67d31d3358002c411c39", Guids: []string{"tvdb://364731"}, Year: 2011,
					Children: episodes(10, sample{Title: "Winter Is Coming", GUID: "plex://episode/5d9c1275e98e47001eb84029",
						Guids: []string{"tvdb://3254641"}, Year: 2011, Directors: []string{"Tim Van Patten"},
						Writers: []string{"David Benioff"}, Roles: []string{"Jason Momoa"}})},
				{Year: 2012, Children: episodes(10)},
			}},
		{Title: "The 100", Year: 2014, Genres: []string{"Drama", "Science Fiction"}, Children: []sample{
			{Year: 2014, Children: episodes(13, sample{Title: "Pilot"})},
			{Year: 2014, Children: episodes(16, sample{Title: "The 48"}, sample{Title: "Inclement Weather"},
				sample{Title: "Reapercussions"}, sample{Title: "Many Happy Returns"}, sample{Title: "Human Trials"},
				sample{Title: "Fog of War"}, sample{Title: "Long Into an Abyss"}, sample{Title: "Spacewalker"},
				sample{Title: "Remember Me"}, sample{Title: "Survival of the Fittest"}, sample{Title: "Coup de Grâce"})},
		}},
	},
	"artist": {
		{Title: "Broke For Free", GUID: "plex://artist/5d07bdaf403c64029060f8c4",
			Guids: []string{"mbid://069a1c1f-14eb-4d36-b0a0-77dffbd67713"}, Genres: []string{"Electronic"},
			Children: []sample{{Title: "Layers", GUID: "plex://album/5d07c7e5403c640290bb5bfc", Year: 2012,
				Guids: []string{"mbid://80b4a679-a2a4-4d18-835d-3e081185d7ba"}, Studio: "[no label]",
				Children: []sample{{Title: "As Colourful as Ever", GUID: "plex://track/5d07e453403c6402907b80aa",
					Guids: []string{"mbid://6524bc2d-3f58-4afa-9e06-00a651f5d813"}}}}},
		},
	},
	"photo": {
		{Title: "Cats", Children: append([]sample{
			{Title: "Cats in bed", Album: true, Children: photos(7)},
			{Title: "Cats not in bed", Album: true, Children: photos(1)},
			{Title: "Not cats in bed", Album: true, Children: photos(1)},
		}, photos(3)...)},
	},
}

// GeneratedTitle is the title of generated top-level item i of a section configured as sc.
func GeneratedTitle(sc SectionConfig, i int) string {
	if sm := sampleLibrary[sc.Type]; sc.Samples && i < len(sm) {
		return sm[i].Title
	}
	return string(appendTitle(nil, i))
}
