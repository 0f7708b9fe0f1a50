package release

// Plural is word for one, word with an s for any other count: what the
// planners' notes and the dashboard say of pods and checks.
func Plural[N ~int | ~int32 | ~int64](n N, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
