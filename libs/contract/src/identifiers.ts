/**
 * Collection ids appear in URL paths, so they are limited to characters that need no escaping:
 * letters, digits and `.` `_` `:` `~` `-`, starting with a letter or digit, at most 128 long.
 */
export const COLLECTION_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:~-]{0,127}$/;

/** Other ids (media, client, share link, download) are 1 to 256 printable ASCII characters, no spaces. */
export const ID_PATTERN = /^[\x21-\x7E]{1,256}$/;

/** File formats are lower-case extensions or short codecs such as `jpeg`, `png`, `mp4`. */
export const FORMAT_PATTERN = /^[a-z0-9][a-z0-9.+-]{0,15}$/;

export const MAX_NAME_LENGTH = 256;
export const MAX_TEXT_LENGTH = 1024;
export const MAX_URL_LENGTH = 2048;
export const MAX_SHARE_LINK_MEDIA = 1000;
