package pmsemu

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"
	"strconv"
	"sync"
)

//go:generate go run ./gen

// emptyAnswer is what an operation answers when the server has nothing to show for it: a server
// without a tuner lists no DVRs, one with no downloads has an empty queue. The table of them
// (answers_gen.go) is generated from the spec's success responses, so every operation of the
// spec answers something its schema accepts, never 501.
type emptyAnswer struct {
	status int
	// contentType is "json" for a body given as json and xml, an image/* type for a one-pixel
	// image, another media type for an empty body of that type, or "" for an empty body without
	// one, where the spec describes no content.
	contentType string
	json, xml   string
}

// serveEmpty answers c with the generated empty answer of operation id.
func serveEmpty(c *call, id string) {
	a, ok := emptyAnswers[id]
	if !ok {
		writeError(c.w, http.StatusNotImplemented)
		return
	}
	writeEmpty(c, a)
}

func writeEmpty(c *call, a emptyAnswer) {
	var body []byte
	switch a.contentType {
	case "":
	case "json":
		if c.json {
			c.w.Header().Set("Content-Type", contentJSON)
			body = []byte(a.json)
		} else {
			c.w.Header().Set("Content-Type", contentXML)
			body = []byte(xmlHeader + a.xml + "\n")
		}
	case "image/jpeg", "image/png":
		c.w.Header().Set("Content-Type", a.contentType)
		body = pixel(a.contentType)
	default:
		c.w.Header().Set("Content-Type", a.contentType)
	}
	if a.status == http.StatusNoContent {
		body = nil
	}
	c.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	c.w.WriteHeader(a.status)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(body)
	}
}

// xmlHeader is encoding/xml's header, repeated here as a constant for the generated bodies.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// pixel returns a one-pixel image of the media type: what the emulator sends for posters,
// chapter images and transcoded photos, as it has no pictures.
var pixel = func() func(string) []byte {
	var once sync.Once
	var pngData, jpegData []byte
	return func(mediaType string) []byte {
		once.Do(func() {
			img := image.NewGray(image.Rect(0, 0, 1, 1))
			img.Set(0, 0, color.Gray{Y: 0x80})
			var p, j bytes.Buffer
			_ = png.Encode(&p, img)
			_ = jpeg.Encode(&j, img, nil)
			pngData, jpegData = p.Bytes(), j.Bytes()
		})
		if mediaType == "image/png" {
			return pngData
		}
		return jpegData
	}
}()
