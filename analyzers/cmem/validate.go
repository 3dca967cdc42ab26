package cmem

// validateSetting checks one value of a cmem setting: a sink must be
// NAME:BUF:LEN.
func validateSetting(key, value string) error {
	if key == "sinks" {
		_, err := ParseSinks([]string{value})
		return err
	}
	return nil
}
