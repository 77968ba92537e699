package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hirestream/hirestream/internal/config"
	"github.com/sethvargo/go-envconfig"
)

func TestProcessAndEmulateConfigs(t *testing.T) {
	t.Parallel()
	mapping := map[string]string{"HRIS_MAPPING_FILE": "../../deploy/hris/mapping.json"}
	cases := []struct {
		name    string
		target  any
		env     map[string]string
		wantErr string
	}{
		{"hris_sync_defaults", &hrisSyncConfig{}, mapping, ""},
		{"hris_sync_needs_mapping", &hrisSyncConfig{}, nil, "HRIS_MAPPING_FILE"},
		{"hris_sync_bad_timeout", &hrisSyncConfig{}, map[string]string{"HRIS_MAPPING_FILE": "m", "HRIS_TIMEOUT": "0s"}, "HRIS_TIMEOUT"},
		{"alert_needs_owners", &alertConfig{}, nil, "OWNERS_FILE"},
		{"alert_defaults", &alertConfig{}, map[string]string{"OWNERS_FILE": "o.json"}, ""},
		{"emulator_defaults", &bambooEmulatorConfig{}, nil, ""},
		{"emulator_bad_addr", &bambooEmulatorConfig{}, map[string]string{"BAMBOOHR_EMULATOR_ADDR": "8091"}, "BAMBOOHR_EMULATOR_ADDR"},
		{"smtp_emulator_defaults", &smtpEmulatorConfig{}, nil, ""},
		{"slack_emulator_defaults", &slackEmulatorConfig{}, nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := config.Load(context.Background(), tc.target, envconfig.MapLookuper(tc.env))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("defaults refused: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want it to name %s", err, tc.wantErr)
			}
		})
	}
}

func TestBuildHRIS(t *testing.T) {
	t.Parallel()
	load := func(env map[string]string) hrisSyncConfig {
		var c hrisSyncConfig
		if err := config.Load(context.Background(), &c, envconfig.MapLookuper(env)); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, h, err := buildHRIS(load(map[string]string{"HRIS_MAPPING_FILE": "../../deploy/hris/mapping.json", "BAMBOOHR_API_KEY": "k"})); err != nil || h.Target() != "bamboohr" {
		t.Fatalf("example mapping: %v", err)
	}
	if _, _, err := buildHRIS(load(map[string]string{"HRIS_MAPPING_FILE": "../../deploy/hris/mapping.json"})); err == nil || !strings.Contains(err.Error(), "BAMBOOHR_API_KEY") {
		t.Fatalf("no key: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "mapping.json")
	if err := os.WriteFile(bad, []byte("{\n  \"target\": \"bamboohr\",\n  \"key_field\": 7\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := buildHRIS(load(map[string]string{"HRIS_MAPPING_FILE": bad, "BAMBOOHR_API_KEY": "k"}))
	if err == nil || !strings.Contains(err.Error(), "HRIS_MAPPING_FILE=") || !strings.Contains(err.Error(), "mapping.json:3:17: key_field: expected string") {
		t.Fatalf("bad mapping: %v", err)
	}
}
