package doctexttest

import "testing"

// ContractDOCX is a complete Word package (content types, relationships,
// styles, a header) of a Russian contract whose placeholders are split
// across runs the way Word splits them: formatting changes, spelling
// marks and bookmarks in the middle of {{.Client.Legal.INN}}.
func ContractDOCX(t testing.TB) []byte {
	const w = `xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document ` + w + `><w:body>
<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t>ДОГОВОР ПОСТАВКИ</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">г. Москва, </w:t></w:r><w:r><w:t>{{.Today</w:t></w:r><w:r><w:t>Long}}</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Покупатель: {{.Client.</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:rPr><w:i/></w:rPr><w:t>Name}}</w:t></w:r><w:r><w:t xml:space="preserve">, ИНН </w:t></w:r><w:r><w:t>{{.Cli</w:t></w:r><w:bookmarkStart w:id="0" w:name="inn"/><w:r><w:rPr><w:b/></w:rPr><w:t>ent.Legal.IN</w:t></w:r><w:bookmarkEnd w:id="0"/><w:r><w:t>N}}</w:t></w:r><w:r><w:t xml:space="preserve">, КПП {{.Client.Legal.KPP}}, ОГРН {{.Client.Legal.OGRN}}.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Юридический адрес: {{.Client.Legal.LegalAddress}}; р/с {{.Client.Legal.Account}} в {{.Client.Legal.BankName}}, БИК {{.Client.Legal.BIK}}.</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Сумма договора: {{.Amount}} руб. (</w:t></w:r><w:r><w:t>{{.AmountWords}}</w:t></w:r><w:r><w:t>).</w:t></w:r></w:p>
<w:p><w:r><w:t>Менеджер: {{.User.Name}} &amp; Co &lt;продажи&gt;</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t/></w:r></w:p>
<w:sectPr><w:headerReference w:type="default" r:id="rId2"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>
</w:body></w:document>`
	return Zip(t,
		Part{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>`},
		Part{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		Part{"word/_rels/document.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/></Relationships>`},
		Part{"word/styles.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles ` + w + `><w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="ru-RU"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>`},
		Part{"word/header1.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr ` + w + `><w:p><w:r><w:t xml:space="preserve">Договор с {{.Client.Name}}</w:t></w:r></w:p></w:hdr>`},
		Part{"word/document.xml", doc})
}
