// The Webhook Endpoints API driven by Lago's official JavaScript client
// (lago-javascript-client, the version pinned in package.json), unchanged.
//
// Environment:
//   LAGO_URL                the API base, e.g. http://127.0.0.1:1984/api/v1
//   LAGO_KEY_A, LAGO_ORG_A  an API key of an empty organization, and its id
//   LAGO_KEY_B, LAGO_ORG_B  the same for a second, empty organization
//   LAGO_PUBLIC_KEY_PEM     optional: the public key (PEM) nginx serves
//
// Run: node --test --test-reporter=tap t/sdk/webhook_endpoints.test.mjs
//
// The steps share state and run in order.  Organization A is left with
// exactly one endpoint, https://b-jwt.example/hooks (jwt, no name, all
// events); organization B with none.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Client, getLagoError } from 'lago-javascript-client';

function env(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set`);
    }
    return value;
}

const baseUrl = env('LAGO_URL');
const orgA = env('LAGO_ORG_A');
const orgB = env('LAGO_ORG_B');
const a = Client(env('LAGO_KEY_A'), { baseUrl });
const b = Client(env('LAGO_KEY_B'), { baseUrl });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const KEYS = ['lago_id', 'lago_organization_id', 'webhook_url',
              'signature_algo', 'name', 'event_types', 'created_at'];

const NOT_FOUND = {
    status: 404,
    error: 'Not Found',
    code: 'webhook_endpoint_not_found',
};
const UNAUTHORIZED = { status: 401, error: 'Unauthorized' };
const EMPTY_META = {
    current_page: 0,
    next_page: null,
    prev_page: null,
    total_pages: 0,
    total_count: 0,
};

// endpoints made in organization A, by role
const made = {};


// the call must fail with this status; returns the error body
async function rejects(promise, status) {
    let thrown;
    try {
        const res = await promise;
        assert.fail(`expected HTTP ${status}, got ${res.status}: `
                    + JSON.stringify(res.data));
    } catch (e) {
        if (e instanceof assert.AssertionError) {
            throw e;
        }
        thrown = e;
    }
    assert.equal(thrown.status, status,
                 `HTTP status (body: ${JSON.stringify(thrown.error)})`);
    assert.match(thrown.headers.get('content-type'),
                 /^application\/json; charset=utf-8$/i);
    return getLagoError(thrown);
}

// a record as the API must return it: exact keys in order, generated fields
// well-formed, the rest equal to `expected`
function checkRecord(record, expected) {
    assert.deepEqual(Object.keys(record), KEYS);
    assert.match(record.lago_id, UUID);
    assert.match(record.created_at, TIME);
    const { lago_id, created_at, ...rest } = record;
    assert.deepEqual(rest, expected);
}

async function list(client, query) {
    const res = await client.webhookEndpoints.findAllWebhookEndpoints(query);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.data), ['webhook_endpoints', 'meta']);
    return res.data;
}

async function find(client, id) {
    const res = await client.webhookEndpoints.findWebhookEndpoint(id);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.data), ['webhook_endpoint']);
    return res.data.webhook_endpoint;
}


test('both organizations start empty', async () => {
    assert.deepEqual(await list(a), { webhook_endpoints: [], meta: EMPTY_META });
    assert.deepEqual(await list(b), { webhook_endpoints: [], meta: EMPTY_META });
});

test('create an hmac endpoint with a name and event types', async () => {
    const res = await a.webhookEndpoints.createWebhookEndpoint({
        webhook_endpoint: {
            webhook_url: 'https://a-hmac.example/hooks',
            signature_algo: 'hmac',
            name: 'EC2-production',
            event_types: ['invoice.created', 'customer.created'],
        },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'),
                 /^application\/json; charset=utf-8$/i);
    assert.deepEqual(Object.keys(res.data), ['webhook_endpoint']);
    checkRecord(res.data.webhook_endpoint, {
        lago_organization_id: orgA,
        webhook_url: 'https://a-hmac.example/hooks',
        signature_algo: 'hmac',
        name: 'EC2-production',
        event_types: ['invoice.created', 'customer.created'],
    });
    made.hmac = res.data.webhook_endpoint;
});

test('create with the defaults: jwt, no name, all events', async () => {
    for (const [role, url] of [['jwt', 'https://b-jwt.example/hooks'],
                               ['third', 'https://c-third.example/hooks']]) {
        const res = await a.webhookEndpoints.createWebhookEndpoint({
            webhook_endpoint: { webhook_url: url },
        });
        assert.equal(res.status, 200);
        checkRecord(res.data.webhook_endpoint, {
            lago_organization_id: orgA,
            webhook_url: url,
            signature_algo: 'jwt',
            name: null,
            event_types: null,
        });
        made[role] = res.data.webhook_endpoint;
    }
    assert.notEqual(made.jwt.lago_id, made.hmac.lago_id);
    assert.notEqual(made.third.lago_id, made.jwt.lago_id);
});

test('list everything on one page, ordered by webhook_url', async () => {
    assert.deepEqual(await list(a), {
        webhook_endpoints: [made.hmac, made.jwt, made.third],
        meta: {
            current_page: 1,
            next_page: null,
            prev_page: null,
            total_pages: 1,
            total_count: 3,
        },
    });
});

test('list one per page, pages 1 to 3 and one past the end', async () => {
    const order = [made.hmac, made.jwt, made.third];

    for (let page = 1; page <= 3; page++) {
        assert.deepEqual(await list(a, { page, per_page: 1 }), {
            webhook_endpoints: [order[page - 1]],
            meta: {
                current_page: page,
                next_page: page < 3 ? page + 1 : null,
                prev_page: page > 1 ? page - 1 : null,
                total_pages: 3,
                total_count: 3,
            },
        });
    }

    assert.deepEqual(await list(a, { page: 4, per_page: 1 }), {
        webhook_endpoints: [],
        meta: {
            current_page: 4,
            next_page: null,
            prev_page: 3,
            total_pages: 3,
            total_count: 3,
        },
    });

    assert.deepEqual(await list(a, { page: 2, per_page: 2 }), {
        webhook_endpoints: [made.third],
        meta: {
            current_page: 2,
            next_page: null,
            prev_page: 1,
            total_pages: 2,
            total_count: 3,
        },
    });
});

test('find each endpoint by its lago_id', async () => {
    for (const record of Object.values(made)) {
        assert.deepEqual(await find(a, record.lago_id), record);
    }
});

test('update the name only: nothing else changes', async () => {
    const res = await a.webhookEndpoints.updateWebhookEndpoint(
        made.hmac.lago_id, { webhook_endpoint: { name: 'renamed' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, {
        webhook_endpoint: { ...made.hmac, name: 'renamed' },
    });
    made.hmac = res.data.webhook_endpoint;
    assert.deepEqual(await find(a, made.hmac.lago_id), made.hmac);
});

test('update the url only: nothing else changes', async () => {
    const res = await a.webhookEndpoints.updateWebhookEndpoint(
        made.hmac.lago_id,
        { webhook_endpoint: { webhook_url: 'https://d-moved.example/hooks' } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, {
        webhook_endpoint: {
            ...made.hmac,
            webhook_url: 'https://d-moved.example/hooks',
        },
    });
    made.hmac = res.data.webhook_endpoint;
    assert.deepEqual(await find(a, made.hmac.lago_id), made.hmac);

    // the list follows the new url
    const { webhook_endpoints } = await list(a);
    assert.deepEqual(webhook_endpoints, [made.jwt, made.third, made.hmac]);
});

test('update the signature, name and event types together', async () => {
    const res = await a.webhookEndpoints.updateWebhookEndpoint(
        made.hmac.lago_id, {
            webhook_endpoint: {
                signature_algo: 'jwt',
                name: null,
                event_types: ['alert.triggered'],
            },
        });
    assert.equal(res.status, 200);
    assert.deepEqual(res.data, {
        webhook_endpoint: {
            ...made.hmac,
            signature_algo: 'jwt',
            name: null,
            event_types: ['alert.triggered'],
        },
    });
    made.hmac = res.data.webhook_endpoint;
    assert.deepEqual(await find(a, made.hmac.lago_id), made.hmac);
});

test('a bad API key is a 401', async () => {
    const bad = Client(randomUUID(), { baseUrl });
    const id = made.jwt.lago_id;

    assert.deepEqual(
        await rejects(bad.webhookEndpoints.findAllWebhookEndpoints(), 401),
        UNAUTHORIZED);
    assert.deepEqual(
        await rejects(bad.webhookEndpoints.findWebhookEndpoint(id), 401),
        UNAUTHORIZED);
    assert.deepEqual(
        await rejects(bad.webhookEndpoints.createWebhookEndpoint({
            webhook_endpoint: { webhook_url: 'https://x.example' },
        }), 401),
        UNAUTHORIZED);
    assert.deepEqual(
        await rejects(bad.webhookEndpoints.updateWebhookEndpoint(id, {
            webhook_endpoint: { name: 'x' },
        }), 401),
        UNAUTHORIZED);
    assert.deepEqual(
        await rejects(bad.webhookEndpoints.destroyWebhookEndpoint(id), 401),
        UNAUTHORIZED);
    assert.deepEqual(
        await rejects(bad.webhooks.fetchJsonPublicKey(), 401),
        UNAUTHORIZED);

    assert.deepEqual(await find(a, id), made.jwt);
});

test('an unknown id is a 404 webhook_endpoint_not_found', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
        assert.deepEqual(
            await rejects(a.webhookEndpoints.findWebhookEndpoint(id), 404),
            NOT_FOUND);
        assert.deepEqual(
            await rejects(a.webhookEndpoints.updateWebhookEndpoint(id, {
                webhook_endpoint: { name: 'x' },
            }), 404),
            NOT_FOUND);
        assert.deepEqual(
            await rejects(a.webhookEndpoints.destroyWebhookEndpoint(id), 404),
            NOT_FOUND);
    }
});

test('an invalid url is a 422 and changes nothing', async () => {
    const invalid = (details) => ({
        status: 422,
        error: 'Unprocessable Entity',
        code: 'validation_errors',
        error_details: details,
    });

    assert.deepEqual(
        await rejects(a.webhookEndpoints.createWebhookEndpoint({
            webhook_endpoint: { webhook_url: 'ftp://foo.bar' },
        }), 422),
        invalid({ webhook_url: ['url_is_invalid'] }));

    assert.deepEqual(
        await rejects(a.webhookEndpoints.createWebhookEndpoint({
            webhook_endpoint: { webhook_url: '' },
        }), 422),
        invalid({ webhook_url: ['value_is_mandatory', 'url_is_invalid'] }));

    assert.deepEqual(
        await rejects(a.webhookEndpoints.createWebhookEndpoint({
            webhook_endpoint: { webhook_url: made.jwt.webhook_url },
        }), 422),
        invalid({ webhook_url: ['value_already_exist'] }));

    assert.deepEqual(
        await rejects(a.webhookEndpoints.createWebhookEndpoint({
            webhook_endpoint: {
                webhook_url: 'https://e-events.example',
                event_types: ['invoice.created', 'no.such_event'],
            },
        }), 422),
        invalid({ event_types: ['contains invalid types: ["no.such_event"]'] }));

    assert.deepEqual(
        await rejects(a.webhookEndpoints.updateWebhookEndpoint(
            made.jwt.lago_id,
            { webhook_endpoint: { webhook_url: 'http://exämple.com' } }), 422),
        invalid({ webhook_url: ['url_is_invalid'] }));

    assert.deepEqual(await find(a, made.jwt.lago_id), made.jwt);
    assert.equal((await list(a)).meta.total_count, 3);
});

test('organization B cannot see, find, update or delete A\'s endpoints', async () => {
    assert.deepEqual(await list(b), { webhook_endpoints: [], meta: EMPTY_META });
    assert.deepEqual(await list(b, { page: 1, per_page: 1 }),
                     { webhook_endpoints: [], meta: EMPTY_META });

    for (const record of Object.values(made)) {
        const id = record.lago_id;
        assert.deepEqual(
            await rejects(b.webhookEndpoints.findWebhookEndpoint(id), 404),
            NOT_FOUND);
        assert.deepEqual(
            await rejects(b.webhookEndpoints.updateWebhookEndpoint(id, {
                webhook_endpoint: { name: 'stolen' },
            }), 404),
            NOT_FOUND);
        assert.deepEqual(
            await rejects(b.webhookEndpoints.destroyWebhookEndpoint(id), 404),
            NOT_FOUND);
        assert.deepEqual(await find(a, id), record);
    }

    // the same url is free in B; B's endpoint is its own
    const res = await b.webhookEndpoints.createWebhookEndpoint({
        webhook_endpoint: { webhook_url: made.jwt.webhook_url },
    });
    assert.equal(res.status, 200);
    const mine = res.data.webhook_endpoint;
    checkRecord(mine, {
        lago_organization_id: orgB,
        webhook_url: made.jwt.webhook_url,
        signature_algo: 'jwt',
        name: null,
        event_types: null,
    });
    assert.deepEqual(
        await rejects(a.webhookEndpoints.findWebhookEndpoint(mine.lago_id), 404),
        NOT_FOUND);
    assert.deepEqual((await list(b)).webhook_endpoints, [mine]);
    assert.equal((await list(a)).meta.total_count, 3);

    const del = await b.webhookEndpoints.destroyWebhookEndpoint(mine.lago_id);
    assert.equal(del.status, 200);
    assert.deepEqual(del.data, { webhook_endpoint: mine });
    assert.deepEqual(await list(b), { webhook_endpoints: [], meta: EMPTY_META });
});

test('the webhook public key, as JSON and as text', async () => {
    const json = await a.webhooks.fetchJsonPublicKey();
    assert.equal(json.status, 200);
    assert.deepEqual(Object.keys(json.data), ['webhook']);
    assert.deepEqual(Object.keys(json.data.webhook), ['public_key']);
    const key = json.data.webhook.public_key;
    assert.match(key, /^([A-Za-z0-9+/=]{60}\n)*[A-Za-z0-9+/=]{1,60}\n$/);
    const pem = Buffer.from(key, 'base64').toString();
    assert.match(pem, /^-----BEGIN PUBLIC KEY-----\n/);
    if (process.env.LAGO_PUBLIC_KEY_PEM) {
        assert.equal(pem, process.env.LAGO_PUBLIC_KEY_PEM);
    }

    const text = await a.webhooks.fetchPublicKey();
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type'),
                 /^text\/plain; charset=utf-8$/i);
    assert.equal(text.data, key);
});

test('delete returns the record; it is gone afterwards', async () => {
    for (const role of ['hmac', 'third']) {
        const record = made[role];
        const res = await a.webhookEndpoints.destroyWebhookEndpoint(
            record.lago_id);
        assert.equal(res.status, 200);
        assert.deepEqual(res.data, { webhook_endpoint: record });

        const err = await rejects(
            a.webhookEndpoints.findWebhookEndpoint(record.lago_id), 404);
        assert.deepEqual(err, NOT_FOUND);
        assert.equal(err.code, 'webhook_endpoint_not_found');

        assert.deepEqual(
            await rejects(
                a.webhookEndpoints.destroyWebhookEndpoint(record.lago_id), 404),
            NOT_FOUND);
        delete made[role];
    }

    assert.deepEqual(await list(a), {
        webhook_endpoints: [made.jwt],
        meta: {
            current_page: 1,
            next_page: null,
            prev_page: null,
            total_pages: 1,
            total_count: 1,
        },
    });
});
