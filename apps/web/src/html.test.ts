import { describe, expect, test } from 'vitest';
import { escapeHtml, html } from './html.js';

describe('html tagged template', () => {
  test('escapes interpolated text and attribute values', () => {
    const name = `<script>alert("x")</script>' onmouseover='go()' \`tick\` & more`;
    expect(html`<p title="${name}">${name}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;go()&#39; &#96;tick&#96; &amp; more">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;go()&#39; &#96;tick&#96; &amp; more</p>',
    );
  });

  test('nests fragments without escaping them twice, joins arrays, drops empty values', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}`.value).toBe('<ul><li>a&amp;b</li><li>c</li></ul>0');
  });

  test('escapeHtml leaves plain text alone', () => {
    expect(escapeHtml('plain text 123')).toBe('plain text 123');
  });
});
