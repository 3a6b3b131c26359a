/** Page size of the admin lists. */
export const PAGE_SIZE = 50;
