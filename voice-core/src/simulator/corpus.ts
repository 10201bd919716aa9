/**
 * What simulated prospects say. Every objection kind has many natural phrasings so that a
 * policy has to recognise the intent, not a fixed string.
 */

export const OBJECTION_KINDS = ['price', 'timing', 'authority', 'competitor', 'not_interested', 'send_info'] as const;
export type ObjectionKind = (typeof OBJECTION_KINDS)[number];

export const OBJECTION_PHRASINGS: Readonly<Record<ObjectionKind, readonly string[]>> = {
  price: [
    'Honestly, that sounds way too expensive for us.',
    'What does this cost? Because our budget is pretty tight right now.',
    "We just can't justify spending that kind of money this year.",
    "I'm sure it's good, but the price is a real problem for a company our size.",
    "That's more than we pay for everything else combined.",
    "Money's tight. I don't see how we'd afford it.",
    "Is there a cheaper option? Because that's out of our range.",
    'My worry is the cost, it just seems high.',
    'We had to cut spending last quarter, so anything new is a hard sell on price.',
    'Sounds pricey. What am I actually getting for that?',
  ],
  timing: [
    "Now's really not a good time, we're in the middle of a big project.",
    'Can you call me back next quarter? Things are crazy right now.',
    "We're not looking at anything new until after the new year.",
    "Timing's bad. Maybe in a few months.",
    "I'm slammed this week, I can't take on another thing.",
    "We just went through a reorganisation, so it's too soon for changes.",
    "Let's revisit this later in the year, okay?",
    "Honestly I don't have the bandwidth to evaluate anything at the moment.",
    'Our fiscal year starts in July, so nothing happens before that.',
  ],
  authority: [
    "I'm not the one who makes that decision.",
    "You'd need to talk to my boss about that.",
    'That would have to go through procurement, not me.',
    "I'd have to run it by the partners first.",
    'Our CFO signs off on anything like this.',
    "I can't approve something like that on my own.",
    'Decisions like this are made by our head office.',
    "Let me check with my manager, it's really her call.",
    "There's a committee for purchases, I'm just one voice on it.",
  ],
  competitor: [
    'We already use another provider for that.',
    'We signed with one of your competitors last year.',
    'Our current vendor does pretty much the same thing.',
    "We're happy with who we have, to be honest.",
    'Why would I switch? The system we have works fine.',
    "We're locked into a contract with someone else until next year.",
    'I just got a quote from another company that was cheaper.',
    'We built something in-house that covers this.',
    'Your competitor offered us a free trial last month.',
  ],
  not_interested: [
    "I'm not interested, thanks.",
    "We really don't need anything like that.",
    "Look, this isn't for us.",
    "I get a lot of these calls and I'm just not interested.",
    "No thank you, we're fine as we are.",
    "I don't see how this helps us at all.",
    "Please, I'm not looking to buy anything.",
    "That's just not something we'd ever use.",
    'Not for us, sorry.',
  ],
  send_info: [
    'Can you just send me some information by email?',
    "Just email me a brochure and I'll take a look.",
    "Send me something in writing and I'll get back to you.",
    'Do you have a website I can look at instead?',
    "Put it in an email, I'll read it when I have time.",
    "Can you mail me the details? I don't want to decide on the phone.",
    "Send me a one-pager and I'll pass it around.",
    "I'd rather read about it first. Can you send me a link?",
    "Email me the pricing sheet and we'll see.",
  ],
};

/** First reply of a human prospect once the agent has spoken. */
export const OPENINGS: readonly string[] = [
  'Hello? Yes, this is me.',
  "Hi, who's calling?",
  'Yeah, hello. What is this about?',
  'Speaking. How can I help you?',
  "Hi there. I've got a minute, go ahead.",
  'Hello, yes? Sorry, it was a bit noisy here.',
  'Okay, I’m listening.',
  'Hi. Is this a sales call?',
];

/** Said before repeating an objection the agent did not answer. */
export const REPEAT_PREFIXES: readonly string[] = [
  'Hello? Did you hear me? ',
  'Are you still there? I said, ',
  "Sorry, I'm not sure you caught that. ",
  'Like I said, ',
  'Hello? ',
  'I was saying, ',
  'Can you hear me? ',
  'Um, again: ',
];

/** The prospect's last word: yes. */
export const VERDICTS_YES: readonly string[] = [
  "Alright, let's do it — send the contract over.",
  "Okay, you've convinced me. Let's set it up.",
  'Fine, sign us up and send me the paperwork.',
  "That sounds good actually. What's the next step?",
  "Okay, I'm in. Email me the agreement.",
  "Sure, let's give it a go.",
  'You know what, yes. Put us down for it.',
  "Alright, that works for us. Let's move forward.",
];

/** The prospect's last word: no. */
export const VERDICTS_NO: readonly string[] = [
  "No, I don't think this is for us.",
  "Thanks, but we'll pass.",
  "I'm going to say no for now.",
  "It doesn't sound like a fit. Have a good day.",
  "No thanks, we're going to stick with what we have.",
  "I appreciate the call, but it's a no.",
  "I don't think so. Take us off your list, please.",
  'Not convinced, sorry. Goodbye.',
];

/** What a prospect says when the line stays silent after the call connects. */
export const SILENCE_PROMPTS: readonly string[] = ['Hello? Is anyone there?', 'Hello?', 'Hi, can you hear me?'];

/** Voicemail greetings, transcribed when the agent listens to a machine. */
export const VOICEMAIL_GREETINGS: readonly string[] = [
  "Hi, you've reached the voicemail of Jordan. Leave a message after the tone.",
  'The person you are calling is not available. Please leave a message.',
  "Hello, this is Sam. I can't take your call right now, leave your name and number.",
  "You've reached the front desk. We're closed at the moment, please leave a message after the beep.",
];
