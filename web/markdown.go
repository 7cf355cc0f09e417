package web

import (
	"bytes"
	"html/template"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders challenge statements: CommonMark with GitHub's tables,
// strikethrough, autolinks and task lists. Raw HTML in a statement is
// left out (goldmark's default) and links with dangerous schemes
// (javascript:, vbscript:, data: other than images) lose their target,
// so a statement cannot put script on a page. Headings move one level
// down: the page's own h1 is the challenge title.
type markdown struct {
	md goldmark.Markdown
}

func newMarkdown() *markdown {
	return &markdown{md: goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingShift{}, 100))),
	)}
}

// render returns src as HTML. A first heading that only repeats title
// (a README starting "# Notes API") is left out: the page shows the
// title already.
func (m *markdown) render(src, title string) (template.HTML, error) {
	source := []byte(src)
	doc := m.md.Parser().Parse(text.NewReader(source))
	if h, ok := doc.FirstChild().(*ast.Heading); ok && strings.TrimSpace(plainText(h, source)) == strings.TrimSpace(title) {
		doc.RemoveChild(doc, h)
	}
	var buf bytes.Buffer
	if err := m.md.Renderer().Render(&buf, source, doc); err != nil {
		return "", err
	}
	// goldmark escapes text and attributes and omits raw HTML, so its
	// output is safe to put into the page as it is.
	return template.HTML(buf.String()), nil
}

// plainText is the text of n's inline children.
func plainText(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		switch t := c.(type) {
		case *ast.Text:
			if entering {
				b.Write(t.Segment.Value(source))
			}
		case *ast.String:
			if entering {
				b.Write(t.Value)
			}
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// headingShift moves every heading one level down (h1 becomes h2), at
// most to h6.
type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+1, 6)
		}
		return ast.WalkContinue, nil
	})
}
