import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultFolders, findFolder, type FolderRef } from '../../packages/mailstore/src/folders.js';
import { listMessages } from '../../packages/mailstore/src/messages.js';
import { openDatabase } from '../../packages/mailstore/src/schema.js';
for (const enc of [true, false]) {
  const dir = mkdtempSync(join(tmpdir(), 'probe-'));
  const db = openDatabase(join(dir, 'x.db'), enc ? randomBytes(32) : null);
  createDefaultFolders(db);
  const inbox = findFolder(db, 'INBOX') as FolderRef;
  db.prepare(`INSERT INTO contents (id, refcount, size, raw, segments, mime, envelope, bodystructure, body, headers, thread_id) VALUES (1, 1, 1, x'00', '[]', '{}', '[]', '[]', '[]', '[]', 't')`).run();
  const ins = db.prepare('INSERT INTO messages (folder_id, uid, modseq, flags, keywords, internal_date, size, content_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1)');
  db.transaction(() => { for (let i = 1; i <= 100000; i++) ins.run(inbox.id, i, i, i % 3 === 0 ? 1 : 0, i % 7 === 0 ? ' $Work ' : '', Date.now(), 4000); })();
  for (const cache of [-2048, -8192]) {
    db.pragma(`cache_size = ${cache}`);
    for (let r = 0; r < 3; r++) {
      let t = performance.now();
      const rows = db.prepare('SELECT uid, modseq, flags, keywords, size, internal_date FROM messages WHERE folder_id = ? ORDER BY uid').raw(true).all(inbox.id);
      const tq = performance.now() - t;
      t = performance.now();
      const list = listMessages(db, inbox);
      console.log(enc ? 'enc' : 'plain', cache, 'query', tq.toFixed(1), 'listMessages', (performance.now() - t).toFixed(1), rows.length, list.length);
    }
  }
  db.close();
}
