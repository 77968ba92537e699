package bamboohr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// SeedFile is the JSON file `hirestream emulate bamboohr` starts from (deploy/hris/bamboohr-seed.json):
// existing employees (the managers new hires report to) and the list options to enforce.
type SeedFile struct {
	Comment   any `json:"_comment,omitempty"`
	Employees []struct {
		ID     int               `json:"id"`
		Fields map[string]string `json:"fields"`
	} `json:"employees"`
	Lists map[string][]string `json:"lists"`
}

// LoadSeed reads a seed file.
func LoadSeed(path string) (*SeedFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s SeedFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("seed file %s: %w", path, err)
	}
	for i, e := range s.Employees {
		if e.Fields["firstName"] == "" || e.Fields["lastName"] == "" {
			return nil, fmt.Errorf("seed file %s: employees[%d] needs firstName and lastName", path, i)
		}
	}
	return &s, nil
}

// Apply seeds the employees of f into s.
func (f *SeedFile) Apply(s *Server) {
	for _, e := range f.Employees {
		s.Seed(e.ID, e.Fields)
	}
}
