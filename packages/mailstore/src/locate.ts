/**
 * Where a message is, by its RFC 8474 EMAILID (objectid.ts): every folder and UID holding its content (COPY shares
 * the content, so a copied message is in several places), through the contents_email_id and messages_content
 * indexes rather than a search of each folder. The REST API names messages by EMAILID and resolves them here.
 */
import { type Db, prep } from './schema.js';
import type { EmailLocation } from './types.js';

export function locateEmail(db: Db, emailId: string): EmailLocation[] {
  return prep(
    db,
    `SELECT f.path AS folder, m.uid AS uid FROM contents c
       JOIN messages m ON m.content_id = c.id
       JOIN folders f ON f.id = m.folder_id
     WHERE c.email_id = ? ORDER BY f.id, m.uid`,
  ).all(emailId) as EmailLocation[];
}
