// A small client of Azure Blob Storage for the team-state tests, built on Microsoft's own SDK
// (@azure/storage-blob), so the tests check scaleset against an independent implementation.
//
//   node azure-blob-client.js create-container CONTAINER
//   node azure-blob-client.js put CONTAINER BLOB FILE     (uploads FILE's bytes)
//   node azure-blob-client.js get CONTAINER BLOB          (bytes on stdout; exit 3 if missing)
//   node azure-blob-client.js list CONTAINER              (blob names, one per line)
//
// The connection string comes from AZURE_STORAGE_CONNECTION_STRING.
const fs = require('fs');
const { BlobServiceClient } = require('@azure/storage-blob');

async function main() {
  const [command, container, blob, file] = process.argv.slice(2);
  const service = BlobServiceClient.fromConnectionString(process.env.AZURE_STORAGE_CONNECTION_STRING);
  const client = service.getContainerClient(container);
  switch (command) {
    case 'create-container':
      await client.createIfNotExists();
      break;
    case 'put': {
      const bytes = fs.readFileSync(file);
      await client.getBlockBlobClient(blob).upload(bytes, bytes.length);
      break;
    }
    case 'get': {
      try {
        process.stdout.write(await client.getBlobClient(blob).downloadToBuffer());
      } catch (e) {
        if (e.statusCode === 404) process.exit(3);
        throw e;
      }
      break;
    }
    case 'list':
      for await (const item of client.listBlobsFlat()) console.log(item.name);
      break;
    default:
      throw new Error(`unknown command ${command}`);
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
