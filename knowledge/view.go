package knowledge

// AnswerView is an answer as `pufabot ask --json` prints it and the web
// API returns it: the answer's fields and its plain-text rendering.
type AnswerView struct {
	*Answer
	Text string `json:"text"`
}

// View pairs an answer with its text.
func View(a *Answer) AnswerView { return AnswerView{Answer: a, Text: RenderText(a)} }
