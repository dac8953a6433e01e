/**
 * The one catalogue of reasons an input event was not correlated. `ignored` events are valid but unrelated or
 * redundant; `rejected` ones could not be read or validated. Every event read ends in exactly one bucket:
 * eventsRead = eventsCorrelated + eventsIgnored + eventsRejected.
 */
export const DROP_REASONS = Object.freeze({
  // ignored: valid events otptrace does not need
  unrelated_event: { bucket: 'ignored', text: 'event of a provider or ID that plays no part in OTP logon' },
  duplicate_event: { bucket: 'ignored', text: 'same computer, channel and EventRecordID as an event already taken' },
  not_otp_request: { bucket: 'ignored', text: 'CA request for a non-OTP template with no OTP attempt to join' },
  machine_request: { bucket: 'ignored', text: 'CA request by a computer account' },
  unmatched_gateway_request: { bucket: 'ignored', text: 'IIS request that matched no OTP attempt' },
  ambiguous_gateway_request: {
    bucket: 'ignored',
    text: "IIS request that overlapped two users' attempts on one DA server (not guessed)",
  },
  gateway_other_request: { bucket: 'ignored', text: 'IIS request that is not a POST (not an OTP sign-in)' },
  unmatched_directory_event: { bucket: 'ignored', text: 'NPS directory event that matched no denied attempt' },
  unmatched_radius_client_event: {
    bucket: 'ignored',
    text: 'NPS System event refusing a RADIUS client (13/14/17/18) that matched no unanswered OTP attempt',
  },
  repeated_radius_client_event: {
    bucket: 'ignored',
    text: 'NPS System event refusing a RADIUS client (13/14/17/18) beside nearer ones that the attempts it explains carry as evidence',
  },
  answered_radius_request: {
    bucket: 'ignored',
    text: 'NPS log-file Access-Request whose Access-Accept or Access-Reject is in the log (the answer carries the decision)',
  },
  unmatched_ca_result: { bucket: 'ignored', text: 'CA result whose request is not part of an OTP attempt' },
  client_informational: { bucket: 'ignored', text: 'client event that does not end an attempt (e.g. 10009)' },
  userless_not_owner: {
    bucket: 'ignored',
    text: 'a broadcast client event with no user that another correlator instance owns (streaming only)',
  },
  non_otp_radius: {
    bucket: 'ignored',
    text: 'an NPS decision for other RADIUS traffic (EAP, PEAP, MS-CHAP...) that no OTP event corroborates',
  },
  late_event: { bucket: 'ignored', text: 'event older than the watermark minus the grace period (streaming only)' },
  // rejected: input that could not be read or validated
  malformed_xml: { bucket: 'rejected', text: 'the event is not well-formed XML' },
  malformed_json: {
    bucket: 'rejected',
    text: 'a line of a JSON-lines (NDJSON) input that is not one JSON document, or JSON whose structure is broken',
  },
  truncated_event: { bucket: 'rejected', text: 'an <Event> element without its end tag' },
  not_an_event: { bucket: 'rejected', text: 'content that is not an <Event> element' },
  invalid_encoding: { bucket: 'rejected', text: 'bytes that are not valid UTF-8 or UTF-16' },
  compressed_data_error: {
    bucket: 'rejected',
    text: 'compressed input (gzip, a zip archive entry) that is damaged or cut short: what follows the damage cannot be read',
  },
  unreadable_archive_entry: {
    bucket: 'rejected',
    text: 'a zip archive that cannot be listed, or an entry that is encrypted or compressed by a method otptrace does not read (bzip2, LZMA, Zstandard...)',
  },
  forbidden_markup: {
    bucket: 'rejected',
    text: 'DOCTYPE, entity declaration or processing instruction inside an event',
  },
  forbidden_character: {
    bucket: 'rejected',
    text: 'a character XML 1.0 forbids (NUL, another C0 control but tab/LF/CR), literal or as &#…; reference',
  },
  event_too_large: { bucket: 'rejected', text: 'an event larger than maxEventBytes' },
  event_too_large_for_topic: {
    bucket: 'rejected',
    text: "an event whose Kafka record is over its topic's max.message.bytes (collector)",
  },
  corrupt_chunk: {
    bucket: 'rejected',
    text: 'a damaged .evtx chunk or record structure (the rest of the file is still read)',
  },
  missing_field: { bucket: 'rejected', text: 'a field the event must have is missing or empty' },
  invalid_field: { bucket: 'rejected', text: 'a field has a value of the wrong form' },
  invalid_time: { bucket: 'rejected', text: 'TimeCreated (or IIS date/time) does not parse' },
  implausible_time: {
    bucket: 'rejected',
    text: 'an event time before earliestEventTime or more than maxFutureMs after the reference time',
  },
  unknown_provider: { bucket: 'rejected', text: 'an OTP event ID in an OTP channel from an unexpected provider' },
  conflicting_duplicate: {
    bucket: 'rejected',
    text: 'same computer, channel and EventRecordID as an earlier event, with other content',
  },
  computer_not_allowed: {
    bucket: 'rejected',
    text: "an event from a computer or source the sender's token may not speak for (collector HTTP input)",
  },
} as const);

export type DropReason = keyof typeof DROP_REASONS;
export type DropBucket = (typeof DROP_REASONS)[DropReason]['bucket'];

/** Which bucket a drop reason counts in. */
export function dropBucket(reason: DropReason): DropBucket {
  return DROP_REASONS[reason].bucket;
}
