// Package corpus reads the Chinese law corpus (the LawRefBook Markdown
// layout, plus plain-text files with the same 第X条 structure) into laws
// and articles.
//
// ParseFile parses a single file; Load walks one or more folders in
// parallel, merges the eight 民法典 part files into one law, keeps
// duplicated files once and marks older versions of a title as
// superseded. Article labels are recognised by their number: a "第X条" at
// the start of a line opens an article only when it continues the
// numbering (or, written with a separating space, when it jumps forward),
// so cross-references that happen to start a line stay in the text.
// Headings are classified by their text (第…编|分编|章|节, 序言, 附则,
// 附件…, "一、管辖") rather than by their Markdown depth, and text that
// belongs to no article (preambles, 批复 bodies, appendices and tables)
// is kept in Law.Preamble. Amendment files (修正案) are kept with their
// text in the preamble and no articles.
//
// ParseNumber and FormatNumber convert between Chinese numerals and
// integers; NormalizeTitle and Corpus.Lookup match law names as people
// write them.
package corpus
