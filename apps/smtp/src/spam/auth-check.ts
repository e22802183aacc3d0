/**
 * Scores sender authentication as the MX found it (inbound-auth.ts): SPF (RFC 7208), DKIM (RFC 6376), DMARC
 * (RFC 7489) and ARC (RFC 8617). A DMARC failure under p=quarantine files the message in Junk whatever the score
 * (RFC 7489 §6.3: "treat as suspicious"); p=reject never gets here, the MX refuses it first. The scores are small:
 * much legitimate mail (mailing lists, forwarders) fails one of these, so none alone reaches the Junk threshold.
 */
import type { SpamCheck, SpamCheckResult, SpamSymbol } from './verdict.js';

const SPF: Record<string, SpamSymbol> = {
  fail: { name: 'SPF_FAIL', score: 2, description: 'SPF: the client may not send for the sender domain' },
  softfail: { name: 'SPF_SOFTFAIL', score: 1, description: 'SPF: the sender domain doubts the client' },
  permerror: { name: 'SPF_PERMERROR', score: 0.5, description: "SPF: the sender domain's record is broken" },
};

const DKIM_FAIL: SpamSymbol = { name: 'DKIM_FAIL', score: 1.5, description: 'DKIM: a signature does not verify' };
const DKIM_PASS: SpamSymbol = { name: 'DKIM_PASS', score: -0.5, description: 'DKIM: a signature verifies' };
const DMARC_FAIL: SpamSymbol = { name: 'DMARC_FAIL', score: 2, description: 'DMARC: From domain not aligned' };
/** p=none: the domain only monitors its mail streams, so a failure says less (often its own forwarded mail). */
const DMARC_FAIL_NONE: SpamSymbol = {
  name: 'DMARC_FAIL',
  score: 1,
  description: 'DMARC fails, the domain asks for none',
};
const DMARC_PASS: SpamSymbol = { name: 'DMARC_PASS', score: -1, description: 'DMARC: From domain authenticated' };
const DMARC_QUARANTINE: SpamSymbol = {
  name: 'DMARC_POLICY_QUARANTINE',
  score: 0,
  description: 'DMARC failed and the From domain asks for quarantine: Junk',
};
const ARC_FAIL: SpamSymbol = { name: 'ARC_FAIL', score: 1, description: 'ARC: the chain of forwarders is broken' };

export const authCheck: SpamCheck = {
  name: 'auth',
  async check({ auth }): Promise<SpamCheckResult> {
    const symbols: SpamSymbol[] = [];
    const spf = SPF[auth.spf];
    if (spf) symbols.push(spf);
    const dkim = auth.dkim.split(',');
    if (dkim.includes('pass')) symbols.push(DKIM_PASS);
    else if (dkim.includes('fail')) symbols.push(DKIM_FAIL);
    if (auth.arc === 'fail') symbols.push(ARC_FAIL);
    if (auth.dmarc === 'pass') symbols.push(DMARC_PASS);
    if (auth.dmarc !== 'fail') return { symbols };
    if (auth.dmarcPolicy !== 'quarantine') {
      symbols.push(auth.dmarcPolicy === 'none' ? DMARC_FAIL_NONE : DMARC_FAIL);
      return { symbols };
    }
    symbols.push(DMARC_FAIL, DMARC_QUARANTINE);
    return { symbols, action: 'junk' };
  },
};
