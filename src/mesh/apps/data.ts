/** The data Bookinfo's services serve, and the JSON shapes they exchange. */

export const PRODUCT = {
  id: 0,
  title: 'The Comedy of Errors',
  descriptionHtml:
    '<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>: ' +
    'two pairs of identical twins, separated at birth, land in the same town on the same day, ' +
    'and everyone takes each one for the other.',
} as const;

export const REVIEWS = [
  { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
  {
    reviewer: 'Reviewer2',
    text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.',
  },
] as const;

export const DEFAULT_RATINGS: Readonly<Record<string, number>> = { Reviewer1: 5, Reviewer2: 4 };

export const TEXT = {
  detailsError: 'Error fetching product details',
  detailsUnavailable: 'Sorry, product details are currently unavailable for this book.',
  reviewsError: 'Error fetching product reviews',
  reviewsUnavailable: 'Sorry, product reviews are currently unavailable for this book.',
  ratingsUnavailable: 'Sorry, product ratings are currently unavailable for this book.',
  ratingsServiceUnavailable: 'Ratings service is currently unavailable',
} as const;

export interface BookDetails {
  id: number;
  author: string;
  year: number;
  type: string;
  pages: number;
  publisher: string;
  language: string;
  'ISBN-10': string;
  'ISBN-13': string;
}

export function bookDetails(id: number): BookDetails {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

export type Rating = { stars: number; color: string } | { error: string };

export interface ReviewEntry {
  reviewer: string;
  text: string;
  rating?: Rating;
}

/** What reviews answers on `/reviews/<id>`. */
export interface ReviewsBody {
  id: string;
  podname: string;
  clustername: string;
  reviews: ReviewEntry[];
}

/** What ratings answers on `/ratings/<id>`. */
export interface RatingsBody {
  id: number;
  ratings: Record<string, number>;
}
