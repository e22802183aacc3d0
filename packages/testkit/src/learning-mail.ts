/**
 * Spam and ham written for the tests of the mailbox's spam learning: everyday mail of the kinds people really
 * receive (a team at work, family, a club, receipts they asked for) and of the kinds they move to Junk (fake
 * prizes, pills, crypto schemes, loan offers, phishing for account details). Each sample is put together from
 * a seeded choice of phrasings, so no two are the same message and a new one is "similar" without being a copy
 * of a trained one.
 */
import { createPrng, type Prng } from './fuzz.js';

interface Theme {
  senders: string[];
  subjects: string[];
  openings: string[];
  bodies: string[];
  closings: string[];
}

const SPAM: Theme[] = [
  {
    senders: ['Prize Department <claims@lucky-winners-intl.biz>', 'Award Notice <notice@global-lottery-board.top>'],
    subjects: [
      'CONGRATULATIONS!!! You have WON $1,500,000.00',
      'Final notice: your unclaimed prize of $850,000',
      'You are our lucky winner - claim your reward now',
    ],
    openings: ['Dear Winner,', 'Attention Beneficiary,', 'Dear Lucky Customer,'],
    bodies: [
      'Your email address was selected in our international online lottery draw and you have won the sum of ' +
        'ONE MILLION FIVE HUNDRED THOUSAND US DOLLARS. To claim your prize send your full name, address, phone ' +
        'number and a copy of your passport to our claims agent today.',
      'We are pleased to inform you that you are the winner of our annual promotion. A processing fee of $250 ' +
        'is required to release your funds. Act now, this offer expires in 48 hours! 100% guaranteed, no risk.',
      'Your winning ticket number 55-2841-77 has been verified. Reply immediately with your bank account details ' +
        'so that the transfer of your prize money can begin. Keep this notice confidential.',
    ],
    closings: ['Claim now: http://lucky-winners-intl.biz/claim', 'Congratulations once again, Claims Manager'],
  },
  {
    senders: ['Online Pharmacy <sales@cheap-meds-direct.ru>', 'Men Health <offers@rx-discount-store.top>'],
    subjects: [
      'Cheap V1agra and Cialis - 80% OFF today only',
      'Best prices on pills, no prescription needed',
      'Buy meds online - FREE shipping worldwide',
    ],
    openings: ['Hello friend,', 'Special offer for you!', 'Dear customer,'],
    bodies: [
      'Order viagra, cialis, levitra and other pills at the lowest price. No prescription required, discreet ' +
        'packaging, free worldwide shipping. Satisfaction guaranteed or your money back!',
      'Our online pharmacy offers generic medications at 80% discount. Lose weight fast, increase performance, ' +
        'feel young again. Limited time offer - order now and get 10 free pills!',
      'Why pay more? Top quality meds from licensed manufacturers, cheapest prices on the internet. Click here ' +
        'to buy now, secure payment with credit card or bitcoin.',
    ],
    closings: ['Visit http://cheap-meds-direct.ru/shop now!', 'Unsubscribe: reply with REMOVE'],
  },
  {
    senders: ['Crypto Profits <invest@bitcoin-millionaire-club.io>', 'Trading Expert <alerts@fx-signal-pro.xyz>'],
    subjects: [
      'Turn $250 into $10,000 in one week with Bitcoin',
      'Secret crypto trading system - 500% returns guaranteed',
      'Last chance: join the Bitcoin millionaire club',
    ],
    openings: ['Hi there,', 'Dear investor,', 'Listen carefully,'],
    bodies: [
      'Thousands of ordinary people are making huge profits with our automated crypto trading robot. Invest ' +
        'just $250 and watch your money grow. Guaranteed returns, no experience needed, withdraw anytime!',
      'Billionaires do not want you to know this secret. Our AI trading platform earned members 500% in a ' +
        'single month. Register now, deposit today and start earning passive income immediately.',
      'Exclusive investment opportunity: double your bitcoin in 24 hours. Risk free, 100% guaranteed profit. ' +
        'Only a few spots left, act fast before this offer is gone forever!',
    ],
    closings: ['Start earning: http://bitcoin-millionaire-club.io/join', 'To your financial freedom!'],
  },
  {
    senders: ['Account Security <security@paypa1-verify.com>', 'Bank Alert <service@secure-bank-login.info>'],
    subjects: [
      'URGENT: your account has been suspended',
      'Action required: verify your account information',
      'Unusual sign-in activity - confirm your identity',
    ],
    openings: ['Dear valued customer,', 'Dear account holder,', 'Dear member,'],
    bodies: [
      'We detected unusual activity on your account and have temporarily suspended access. To restore your ' +
        'account you must verify your identity within 24 hours by entering your password and credit card number.',
      'Your account will be permanently closed unless you confirm your billing information today. Click the ' +
        'secure link below and log in to update your details. Failure to respond will result in suspension.',
      'For your security we require you to validate your account. Please provide your username, password and ' +
        'social security number using the verification form. This is an automated security notice.',
    ],
    closings: ['Verify now: http://paypa1-verify.com/login', 'Security Department (do not reply)'],
  },
  {
    senders: ['Fast Loans <approve@instant-cash-loans.top>', 'Debt Relief <help@credit-fix-now.biz>'],
    subjects: [
      'Pre-approved: get $5,000 cash today, bad credit OK',
      'Eliminate your debt fast - guaranteed approval',
      'Instant loan approval, money in your account in 1 hour',
    ],
    openings: ['Dear applicant,', 'Good news!', 'Hello,'],
    bodies: [
      'You have been pre-approved for a cash loan of up to $5,000. Bad credit, no credit, no problem! No ' +
        'paperwork, no credit check, instant approval. Get your money today, apply in just 2 minutes.',
      'Stop worrying about bills. Our debt relief program can cut your payments by 50% or more. Guaranteed ' +
        'approval, lowest interest rates, call now for a free consultation, limited time offer!',
      'Need cash fast? Get instant approval and money deposited directly into your bank account within one ' +
        'hour. 100% online, no questions asked. Click here to claim your pre-approved loan now.',
    ],
    closings: ['Apply now: http://instant-cash-loans.top/apply', 'Reply STOP to unsubscribe'],
  },
];

const HAM: Theme[] = [
  {
    senders: ['Maria Lopez <maria.lopez@northwind-labs.com>', 'Tom Becker <tom.becker@northwind-labs.com>'],
    subjects: [
      'Notes from Tuesday planning meeting',
      'Re: release schedule for version 2.4',
      'Agenda for the architecture review on Thursday',
    ],
    openings: ['Hi team,', 'Hello everyone,', 'Hi Sam,'],
    bodies: [
      'Thanks for joining the planning meeting. We agreed to move the database migration to the next sprint ' +
        'and to finish the reporting dashboard first. Anna will update the ticket estimates before Friday.',
      'The release branch will be cut on Wednesday afternoon. Please merge your pending pull requests by then ' +
        'and make sure the integration tests pass. I will write the changelog and send it round for review.',
      'For the review I would like to go through the new caching layer, the error handling in the import job ' +
        'and the open questions about the storage format. Bring any diagrams you have; we have the big room.',
    ],
    closings: ['Best regards, Maria', 'Thanks, Tom', 'Cheers, Maria'],
  },
  {
    senders: ['Mum <helen.carter@example-family.net>', 'David Carter <david.carter@example-family.net>'],
    subjects: ['Sunday lunch', 'Photos from the weekend', 'Re: Grandpa birthday present'],
    openings: ['Hi love,', 'Hello dear,', 'Hi,'],
    bodies: [
      'Are you still coming for lunch on Sunday? I am making the roast and your sister is bringing dessert. ' +
        'Let me know if you want us to pick you up from the station, Dad can drive over around noon.',
      'I finally sorted the pictures from the lake. The one of the children on the boat came out lovely, I ' +
        'have put them all in the shared album. The weather was kind to us for once, we should go again.',
      'I thought we could all chip in for a new garden bench for Grandpa, the old one is falling apart. He ' +
        'mentioned it twice at dinner. Could you ask at the hardware shop near you what they cost?',
    ],
    closings: ['Love, Mum', 'See you soon, David', 'Lots of love'],
  },
  {
    senders: ['Riverside Running Club <secretary@riverside-runners.org>', 'Paul Greene <paul@riverside-runners.org>'],
    subjects: ['Training schedule for the spring', 'Club meeting minutes - March', 'Volunteers needed for the 10k'],
    openings: ['Dear members,', 'Hi all,', 'Hello runners,'],
    bodies: [
      'The Tuesday interval sessions start again next week at the track, 7 pm. The Thursday long run moves ' +
        'to the river path while the park is being resurfaced. New members are welcome at every session.',
      'At the meeting we approved the budget for new club shirts and discussed the relay team for the county ' +
        'championships. The minutes are attached to the club website; please send corrections to the secretary.',
      'We need about twenty volunteers for the marshal points and the water station at the 10k on the 14th. ' +
        'If you can help for the morning, reply to this message and I will send the briefing notes.',
    ],
    closings: ['Happy running, Paul', 'Club Secretary', 'Thanks, Paul'],
  },
  {
    senders: ['Lena Fischer <lena.fischer@uni-example.edu>', 'Prof. Omar Haddad <o.haddad@uni-example.edu>'],
    subjects: ['Draft chapter three - comments', 'Re: seminar room booking', 'Reading list for next week'],
    openings: ['Dear Alex,', 'Hi Alex,', 'Hello,'],
    bodies: [
      'I have read the draft of chapter three. The argument in the second section is clear, but the results ' +
        'table needs the sample sizes and the discussion should mention the limitations of the survey method.',
      'The seminar room is booked for Monday from two to four. I have also asked for the projector; if you ' +
        'need the video link please set it up beforehand, the department laptop is usually slow to start.',
      'For next week please read the two papers on field methods and the chapter from the textbook. We will ' +
        'discuss them in the seminar, so come with one question about each. The PDFs are on the course page.',
    ],
    closings: ['Best wishes, Lena', 'Kind regards, Omar Haddad', 'See you Monday'],
  },
];

function pick<T>(prng: Prng, items: readonly T[]): T {
  return items[prng.int(items.length)] as T;
}

function compose(theme: Theme, prng: Prng, n: number): Buffer {
  const paragraphs = [pick(prng, theme.openings), '', pick(prng, theme.bodies)];
  if (prng.int(2) === 1) paragraphs.push('', pick(prng, theme.bodies));
  paragraphs.push('', pick(prng, theme.closings));
  const lines = [
    `From: ${pick(prng, theme.senders)}`,
    'To: Alex Morgan <alex@example.net>',
    `Subject: ${pick(prng, theme.subjects)}`,
    `Date: Mon, ${String(1 + (n % 28)).padStart(2, '0')} Mar 2026 09:${String(n % 60).padStart(2, '0')}:00 +0000`,
    `Message-ID: <${prng.int(1e9)}.${prng.int(1e9)}@mail.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    ...paragraphs,
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** `stream` keeps spam and ham of one seed apart (their own random choices, their own Message-IDs). */
function samples(themes: Theme[], count: number, seed: number, stream: number): Buffer[] {
  const prng = createPrng(seed * 2 + stream);
  return Array.from({ length: count }, (_, i) => compose(themes[i % themes.length] as Theme, prng, seed + i));
}

/** `count` spam messages, different for each seed. */
export function spamSamples(count: number, seed = 1): Buffer[] {
  return samples(SPAM, count, seed, 0);
}

/** `count` ham messages, different for each seed. */
export function hamSamples(count: number, seed = 1): Buffer[] {
  return samples(HAM, count, seed, 1);
}
