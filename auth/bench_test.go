package auth

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func BenchmarkCachedSourceToken(b *testing.B) {
	s := NewCachedSource(&counter{}, CacheOptions{Initial: &Token{Value: "eyJ.a.b", Kind: KindPlexJWT, Expiry: time.Now().Add(7 * 24 * time.Hour)}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Token(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedSourceTokenParallel measures Token under contention: at least 8 goroutines.
func BenchmarkCachedSourceTokenParallel(b *testing.B) {
	s := NewCachedSource(&counter{}, CacheOptions{Initial: &Token{Value: "eyJ.a.b", Kind: KindPlexJWT, Expiry: time.Now().Add(7 * 24 * time.Hour)}})
	ctx := context.Background()
	b.SetParallelism((8 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Token(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkFileStoreLoad(b *testing.B) {
	s := &FileStore{Dir: b.TempDir()}
	ctx := context.Background()
	if err := s.Save(ctx, jwt("a", time.Hour)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFileStoreSave(b *testing.B) {
	s := &FileStore{Dir: b.TempDir()}
	ctx := context.Background()
	tok := jwt("a", time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Save(ctx, tok); err != nil {
			b.Fatal(err)
		}
	}
}
